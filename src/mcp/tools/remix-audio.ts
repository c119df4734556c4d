/** remix_audio: a new song that follows a reference recording (ACE-Step audio2audio). */
import { z } from 'zod';

import type { ToolContext } from '../shared/context.js';
import { registerGeneration } from '../shared/generation.js';
import { deliveryShape, generationOutput, seedSchema, songIdSchema } from '../shared/schemas.js';
import { base64Limit, remixSource } from '../shared/uploads.js';
import { LYRICS_DESCRIPTION, TAGS_DESCRIPTION } from './descriptions.js';

export function registerRemixAudio(ctx: ToolContext): void {
  const { limits } = ctx.studio.info();
  const maxBase64 = base64Limit(ctx.limits.uploadBytes);
  const mb = (ctx.limits.uploadBytes / 1024 / 1024).toFixed(0);
  registerGeneration(
    ctx,
    'remix_audio',
    {
      title: 'Remix reference audio',
      description: `Make a new song that follows a reference recording's structure and feel, restyled by tags (and lyrics). Give the reference as exactly one of: song_id (an acejam song), file_path (local clients only, inside the workspace roots), url (http or https, downloaded by the server), or audio_base64 (the file's bytes; WAV, MP3, FLAC, Ogg Vorbis or Opus, at most ${mb} MB). strength sets how much of the reference survives: 0.3 loose, 0.5 balanced (default), 0.8 close.`,
      inputSchema: {
        tags: z.string().trim().min(1).max(limits.maxTagChars).describe(TAGS_DESCRIPTION),
        lyrics: z.string().max(limits.maxLyricChars).optional().describe(LYRICS_DESCRIPTION),
        song_id: songIdSchema.optional().describe('Reference: an acejam song id.'),
        file_path: z.string().min(1).max(4096).optional().describe('Reference: a local audio file inside the workspace roots (stdio clients only).'),
        url: z.string().min(1).max(4096).optional().describe('Reference: an http(s) URL of an audio file.'),
        audio_base64: z
          .string()
          .max(maxBase64, { error: `audio_base64 is over the ${ctx.limits.uploadBytes}-byte (${mb} MB) upload limit` })
          .optional()
          .describe(`Reference: the audio file's bytes, base64-encoded (a data: URL prefix is fine), at most ${mb} MB decoded.`),
        filename: z.string().min(1).max(255).optional().describe('Name of the uploaded file, e.g. "demo.mp3" (helps detect the format).'),
        strength: z.number().min(0).max(0.99).optional().describe('How much of the reference survives, 0–0.99 (default 0.5).'),
        seed: seedSchema.optional().describe('Seed; omit for a random one.'),
        steps: z.int().min(1).max(limits.maxSteps).optional().describe('Diffusion steps (default 60).'),
        ...deliveryShape(ctx.limits),
      },
      outputSchema: generationOutput,
      // Not read-only (adds a song); open world because it may download a URL.
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    (args, extra) => {
      const { tags, lyrics, strength, seed, steps, wait_seconds, inline_audio, output_dir, output_format } = args;
      return {
        operation: 'remix',
        params: async () => ({ source: await remixSource(ctx, args, extra.signal), tags, lyrics, strength, seed, steps }),
        delivery: { wait_seconds, inline_audio, output_dir, output_format },
      };
    },
  );
}
