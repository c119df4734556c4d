/**
 * What the renderers produce: a message body in Discord's wire format (the bot sends it over REST with its
 * own token, or through discord.js interaction methods, which take the same JSON).
 */
import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from 'discord.js';

export interface OutgoingFile {
  name: string;
  data: Uint8Array;
  contentType: string;
}

export interface OutgoingMessage {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  /** New files; on an edit they replace every old attachment (the attachments array lists exactly these). */
  files?: OutgoingFile[];
}

/** Colours by state, so a glance tells queued, running, done and failed apart. */
export const COLORS = { queued: 0x99aab5, running: 0x5865f2, done: 0x57f287, failed: 0xed4245, cancelled: 0x4f545c, info: 0x5865f2 } as const;

/** The same body in discord.js's interaction-reply shape (for replies made with the interaction token). */
export function replyOptions(message: OutgoingMessage) {
  return {
    content: message.content ?? '',
    embeds: message.embeds ?? [],
    components: message.components ?? [],
    files: (message.files ?? []).map((file) => ({ attachment: Buffer.from(file.data), name: file.name })),
    allowedMentions: { parse: [] },
  };
}
