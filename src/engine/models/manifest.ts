/**
 * The model pack manifest (`manifest.json`, schema `acejam-pack/1`), as the exporter writes it
 * (tools/export/manifest.py, documented in docs/pack-format.md). The schema is the type.
 */
import { z } from 'zod';

const dim = z.union([z.number().int().positive(), z.string().min(1)]);

export const tensorSpecSchema = z.object({
  name: z.string(),
  dtype: z.enum(['float32', 'float16', 'int64']),
  dims: z.array(dim),
});

const graphFilesSchema = z.object({
  file: z.string(),
  files: z.array(z.string()).min(1),
  external_data: z.boolean(),
});

export const graphSchema = z.object({
  component: z.enum(['umt5', 'transformer', 'dcae', 'vocoder']),
  description: z.string(),
  inputs: z.array(tensorSpecSchema).min(1),
  outputs: z.array(tensorSpecSchema).min(1),
  precisions: z.object({ fp32: graphFilesSchema.optional(), fp16: graphFilesSchema.optional() }),
});

export const GRAPH_NAMES = [
  'umt5_encoder',
  'ace_condition_encoder',
  'ace_dit_decoder',
  'dcae_encoder',
  'dcae_decoder',
  'vocoder',
] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];

const fileEntrySchema = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.object({
  schema: z.literal('acejam-pack/1'),
  name: z.string().min(1),
  family: z.literal('ace-step-v1'),
  description: z.string(),
  graphs: z.object(Object.fromEntries(GRAPH_NAMES.map((name) => [name, graphSchema])) as Record<GraphName, typeof graphSchema>),
  constants: z.object({
    sample_rate: z.number(),
    output_sample_rate: z.number(),
    channels: z.number().int(),
    hop_length: z.number().int(),
    samples_per_frame: z.number().int(),
    frames_per_second: z.number(),
    latent_channels: z.number().int(),
    latent_height: z.number().int(),
    max_frames: z.number().int(),
    max_text_tokens: z.number().int(),
    speaker_embedding_dim: z.number().int(),
    lyric_vocab_size: z.number().int(),
    text_hidden_size: z.number().int(),
    mel: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
    dcae: z.object({ scale_factor: z.number(), shift_factor: z.number(), downsample: z.number().int() }),
  }),
  mel_frontend: z.object({ implementation: z.literal('engine'), file: z.string(), reason: z.string() }),
  tokenizers: z.object({
    text: z.object({ file: z.string(), config: z.string(), max_tokens: z.number().int(), eos_id: z.number().int(), pad_id: z.number().int() }),
    lyric: z.object({ file: z.string(), start_id: z.number().int(), space_id: z.number().int(), stop_id: z.number().int(), unk_id: z.number().int() }),
  }),
  langid: z
    .object({ file: z.string(), format: z.literal('py3langid-nb/1'), classes: z.number().int(), features: z.number().int() })
    .passthrough()
    .nullable(),
  sampling_defaults: z.record(z.string(), z.unknown()),
  erg: z.object({
    tau: z.number(),
    umt5_layers: z.array(z.number().int().nonnegative()),
    lyric_layers: z.array(z.number().int().nonnegative()),
    dit_layers: z.array(z.number().int().nonnegative()),
    upstream_indices: z.boolean(),
    note: z.string(),
  }),
  lora: z
    .object({ file: z.string(), sha256: z.string(), weight: z.number(), targets: z.number().int(), scaling: z.array(z.number()) })
    .nullable(),
  modules: z.record(z.string(), z.record(z.string(), z.unknown())),
  files: z.array(fileEntrySchema).min(1),
  provenance: z.object({ exporter: z.string(), opset: z.number().int(), source: z.record(z.string(), z.unknown()) }).passthrough(),
});

export type PackManifest = z.infer<typeof manifestSchema>;
export type TensorSpec = z.infer<typeof tensorSpecSchema>;
export type GraphEntry = z.infer<typeof graphSchema>;
