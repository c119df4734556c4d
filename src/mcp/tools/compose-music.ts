/** compose_music: a new song from tags and lyrics (ACE-Step text2music). */
import { z } from 'zod';

import type { ToolContext } from '../shared/context.js';
import { registerGeneration } from '../shared/generation.js';
import { SEED_DESCRIPTION, deliveryShape, generationOutput, seedSchema } from '../shared/schemas.js';
import { GENERATION_ANNOTATIONS, LYRICS_DESCRIPTION, TAGS_DESCRIPTION } from './descriptions.js';

export function registerComposeMusic(ctx: ToolContext): void {
  const { limits } = ctx.studio.info();
  registerGeneration(
    ctx,
    'compose_music',
    {
      title: 'Compose music',
      description: `Compose a new song (vocals or instrumental) from style tags and optional lyrics, with ACE-Step v1. Returns the song's id, seed and a link to the audio (acejam://songs/{id}); continue it with retake_music, repaint_music, extend_music or edit_music.

Good tags are a comma-separated list of genre, instruments, mood, tempo and vocal style, e.g. "synth-pop, 80s, female vocals, bright synths, driving drums, 120 bpm, uplifting". Lyrics use one structure tag per section on its own line:
[verse]
City lights are calling out my name
[chorus]
We run, we run into the night
Leave lyrics empty (or just "[instrumental]") for an instrumental. A longer song takes longer to make: the job reports progress and, past wait_seconds, comes back as a job id for get_job.`,
      inputSchema: {
        tags: z.string().trim().min(1).max(limits.maxTagChars).describe(TAGS_DESCRIPTION),
        lyrics: z.string().max(limits.maxLyricChars).optional().describe(LYRICS_DESCRIPTION),
        duration: z
          .number()
          .min(limits.minDuration)
          .max(limits.maxDuration)
          .optional()
          .describe(`Length in seconds, ${limits.minDuration}–${limits.maxDuration} (default: the user's setting, usually 60). Around 2–4 s per sung line fits most styles.`),
        seed: seedSchema.optional().describe(SEED_DESCRIPTION),
        variants: z.int().min(1).max(limits.maxBatch).optional().describe(`How many takes to make at once, 1–${limits.maxBatch}, with consecutive seeds (default 1).`),
        steps: z.int().min(1).max(limits.maxSteps).optional().describe('Diffusion steps (default 60). Fewer is faster and rougher; 27 is a good fast draft.'),
        guidance_scale: z.number().min(0).max(200).optional().describe('How strongly to follow tags and lyrics (default 15).'),
        scheduler: z.enum(['euler', 'heun', 'pingpong']).optional().describe('Sampler: euler (default), heun (smoother, twice the cost), pingpong (crisper, stochastic).'),
        cfg_type: z.enum(['apg', 'cfg', 'cfg_star']).optional().describe('Guidance rule: apg (default, fewer artefacts at high guidance), cfg, or cfg_star.'),
        omega_scale: z.number().min(-100).max(100).optional().describe('Granularity rescale (default 10); higher adds detail.'),
        guidance_interval: z.number().min(0).max(1).optional().describe('Share of the steps, in the middle, that use guidance (default 0.5).'),
        erg_tag: z.boolean().optional().describe('Entropy-rectified guidance on the tags (default true).'),
        erg_lyric: z.boolean().optional().describe('Entropy-rectified guidance on the lyrics (default false).'),
        erg_diffusion: z.boolean().optional().describe('Entropy-rectified guidance in the diffusion model (default true).'),
        lyrics_mode: z
          .enum(['faithful', 'fixed'])
          .optional()
          .describe('faithful (default): lyrics tokenized exactly as upstream ACE-Step does; fixed: honours a [fr]-style language prefix per line and mixed-script lines.'),
        visibility: z.enum(['public', 'private']).optional().describe("Who may open the song by id: public (anyone with the id) or private (only its owner). Default: the user's setting."),
        ...deliveryShape(ctx.limits),
      },
      outputSchema: generationOutput,
      annotations: GENERATION_ANNOTATIONS,
    },
    (args) => {
      const { wait_seconds, inline_audio, output_dir, output_format, ...p } = args;
      return {
        operation: 'compose',
        params: {
          tags: p.tags,
          lyrics: p.lyrics,
          duration: p.duration,
          seed: p.seed,
          variants: p.variants,
          steps: p.steps,
          guidanceScale: p.guidance_scale,
          scheduler: p.scheduler,
          cfgType: p.cfg_type,
          omegaScale: p.omega_scale,
          guidanceInterval: p.guidance_interval,
          ergTag: p.erg_tag,
          ergLyric: p.erg_lyric,
          ergDiffusion: p.erg_diffusion,
          lyricsMode: p.lyrics_mode,
          visibility: p.visibility,
        },
        delivery: { wait_seconds, inline_audio, output_dir, output_format },
      };
    },
  );
}
