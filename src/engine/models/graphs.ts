/**
 * Typed calls into the six graphs of a pack (docs/pack-format.md): host arrays in, host arrays out.
 * Shapes are in the parameter names' comments; every tensor crosses into the runtime through `run`.
 */
import type { HostTensor } from '../runtime/ort.js';
import type { GraphName } from './manifest.js';

export type RunGraph = (graph: GraphName, feeds: Record<string, HostTensor>) => Promise<Record<string, HostTensor>>;

const f32 = (data: Float32Array, dims: number[]): HostTensor => ({ dtype: 'float32', dims, data });
const i64 = (values: ArrayLike<number>, dims: number[]): HostTensor => {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return { dtype: 'int64', dims, data };
};

function output(result: Record<string, HostTensor>, name: string): Float32Array {
  const tensor = result[name];
  if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error(`graph output ${name} missing or not float32`);
  return tensor.data;
}

export class PackGraphs {
  constructor(private readonly run: RunGraph) {}

  /** ids/mask [B,Lt] int, qScale [B,layers] → [B,Lt,D]. */
  async encodeText(ids: ArrayLike<number>, mask: ArrayLike<number>, qScale: Float32Array, batch: number, length: number): Promise<Float32Array> {
    const result = await this.run('umt5_encoder', {
      input_ids: i64(ids, [batch, length]),
      attention_mask: i64(mask, [batch, length]),
      q_scale: f32(qScale, [batch, qScale.length / batch]),
    });
    return output(result, 'last_hidden_state');
  }

  /** → encoder_hidden_states [B,S,W] and encoder_hidden_mask [B,S], S = 1 + Lt + Ll. */
  async encodeCondition(input: {
    text: Float32Array; // [B,Lt,D]
    textMask: ArrayLike<number>; // [B,Lt]
    speaker: Float32Array; // [B,SPK]
    lyricIds: ArrayLike<number>; // [B,Ll]
    lyricMask: ArrayLike<number>; // [B,Ll]
    lyricQScale: Float32Array; // [B,blocks]
    batch: number;
    textLength: number;
    lyricLength: number;
  }): Promise<{ hidden: Float32Array; mask: Float32Array }> {
    const { batch, textLength, lyricLength } = input;
    const result = await this.run('ace_condition_encoder', {
      text_hidden_states: f32(input.text, [batch, textLength, input.text.length / (batch * textLength)]),
      text_attention_mask: i64(input.textMask, [batch, textLength]),
      speaker_embeds: f32(input.speaker, [batch, input.speaker.length / batch]),
      lyric_token_ids: i64(input.lyricIds, [batch, lyricLength]),
      lyric_mask: i64(input.lyricMask, [batch, lyricLength]),
      lyric_q_scale: f32(input.lyricQScale, [batch, input.lyricQScale.length / batch]),
    });
    return { hidden: output(result, 'encoder_hidden_states'), mask: output(result, 'encoder_hidden_mask') };
  }

  /** The DiT velocity [B,8,16,T] for latents [B,8,16,T] at timestep σ·1000 per row. */
  async velocity(input: {
    latents: Float32Array;
    timestep: Float32Array; // [B]
    frames: number;
    hidden: Float32Array; // [B,S,W]
    mask: Float32Array; // [B,S]
    crossAttnQScale: Float32Array; // [B,layers]
    batch: number;
    sequence: number;
  }): Promise<Float32Array> {
    const { batch, frames, sequence } = input;
    const attention = new Float32Array(batch * frames).fill(1);
    const result = await this.run('ace_dit_decoder', {
      hidden_states: f32(input.latents, [batch, 8, 16, frames]),
      timestep: f32(input.timestep, [batch]),
      attention_mask: f32(attention, [batch, frames]),
      encoder_hidden_states: f32(input.hidden, [batch, sequence, input.hidden.length / (batch * sequence)]),
      encoder_hidden_mask: f32(input.mask, [batch, sequence]),
      cross_attn_q_scale: f32(input.crossAttnQScale, [batch, input.crossAttnQScale.length / batch]),
    });
    return output(result, 'velocity');
  }

  /** latents [B,8,16,T] → log-mel [B,2,128,8T]. */
  async decodeLatents(latents: Float32Array, batch: number, frames: number): Promise<Float32Array> {
    return output(await this.run('dcae_decoder', { latents: f32(latents, [batch, 8, 16, frames]) }), 'mel');
  }

  /** raw log-mel [B,2,128,Tm] → latents [B,8,16,Tm/8]. */
  async encodeMel(mel: Float32Array, batch: number, melFrames: number): Promise<Float32Array> {
    return output(await this.run('dcae_encoder', { mel: f32(mel, [batch, 2, 128, melFrames]) }), 'latents');
  }

  /** one channel's log-mel per row [N,128,F] → audio [N,1,512F] at 44.1 kHz. */
  async vocode(mel: Float32Array, rows: number, melFrames: number): Promise<Float32Array> {
    return output(await this.run('vocoder', { mel: f32(mel, [rows, 128, melFrames]) }), 'audio');
  }
}
