/**
 * The buttons under a result (product.md §2 item 1): Retake subtle / strong, Reroll, Repaint…, Edit…,
 * Extend ◀ / ▶ and Full quality. Each custom_id is `action:songId[:arg]`, so pressing one days later, after
 * any number of restarts, finds everything it needs in the store.
 */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIComponentInMessageActionRow } from 'discord.js';

import { encodeCustomId, type CustomId } from './custom-id.js';

type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

function button(id: CustomId, label: string, emoji: string, style: APIButtonComponentWithCustomId['style'] = ButtonStyle.Secondary): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, style, label, emoji: { name: emoji }, custom_id: encodeCustomId(id) };
}

/** Seconds the Extend buttons add on their side. */
export const EXTEND_SECONDS = 20;
/** Retake variances behind the buttons (spec §3.2: 0 = the same song, 1 = fresh noise). */
export const VARIANCE = { subtle: 0.2, strong: 0.5, reroll: 1 } as const;

export function resultRows(songId: string): Row[] {
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        button({ action: 'retake', id: songId, arg: 'subtle' }, 'Retake subtle', '🔁', ButtonStyle.Primary),
        button({ action: 'retake', id: songId, arg: 'strong' }, 'Retake strong', '🔀', ButtonStyle.Primary),
        button({ action: 'reroll', id: songId }, 'Reroll', '🎲'),
        button({ action: 'repaint', id: songId }, 'Repaint…', '✂️'),
        button({ action: 'edit', id: songId }, 'Edit…', '✏️'),
      ],
    },
    {
      type: ComponentType.ActionRow,
      components: [
        button({ action: 'extend', id: songId, arg: 'left' }, `Extend ◀ ${EXTEND_SECONDS}s`, '⏪'),
        button({ action: 'extend', id: songId, arg: 'right' }, `Extend ▶ ${EXTEND_SECONDS}s`, '⏩'),
        button({ action: 'full', id: songId }, 'Full quality', '⬇️', ButtonStyle.Success),
      ],
    },
  ];
}

/** A select of songs ("jump to a version", "open a song"): value = song id. */
export function songSelectRow(id: CustomId, placeholder: string, options: { label: string; value: string; description?: string }[]): Row | null {
  if (options.length === 0) return null;
  return {
    type: ComponentType.ActionRow,
    components: [{ type: ComponentType.StringSelect, custom_id: encodeCustomId(id), placeholder, min_values: 1, max_values: 1, options: options.slice(0, 25) }],
  };
}

/** "Older ▶" for /history pages: the id slot holds the cursor (the last song shown). */
export function historyNavRow(cursor: string | null, scope: 'mine' | 'channel'): Row | null {
  if (!cursor) return null;
  return { type: ComponentType.ActionRow, components: [button({ action: 'hist', id: cursor, arg: scope }, 'Older', '▶️')] };
}
