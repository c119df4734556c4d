/** list_packs: the model packs (and LoRA variants) this server has, and which one runs. */
import { z } from 'zod';

import type { ToolContext } from '../shared/context.js';
import { guarded } from '../shared/errors.js';
import { READ_ANNOTATIONS } from './descriptions.js';

export function registerListPacks(ctx: ToolContext): void {
  ctx.server.registerTool(
    'list_packs',
    {
      title: 'List model packs',
      description: 'List the model packs installed on this server (ACE-Step v1 base and LoRA variants such as a rap or style LoRA), which one generates songs now, the execution provider and the request limits (duration, steps, variants).',
      inputSchema: {},
      outputSchema: z.object({
        active: z.string().describe('the pack new songs are made with'),
        provider: z.string().describe('cpu or cuda'),
        packs: z.array(z.object({ name: z.string(), description: z.string(), lora: z.unknown().describe('LoRA details (base pack, weight) or null for a base pack') })),
        limits: z.record(z.string(), z.number()),
      }),
      annotations: READ_ANNOTATIONS,
    },
    async () =>
      guarded('list_packs', ctx.logger, async () => {
        const info = ctx.studio.info();
        const packs = (await ctx.studio.packs()).map(({ name, description, lora }) => ({ name, description, lora: lora ?? null }));
        const lines = packs.map((p) => `- ${p.name}${p.name === info.pack ? ' (active)' : ''}${p.lora ? ' [LoRA]' : ''}: ${p.description}`);
        return {
          content: [{ type: 'text', text: `Packs on this server (provider ${info.provider}):\n${lines.join('\n')}` }],
          structuredContent: { active: info.pack, provider: info.provider, packs, limits: { ...info.limits } },
        };
      }),
  );
}
