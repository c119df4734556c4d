/**
 * Message bodies as Discord takes them: JSON or multipart (`payload_json` + `files[n]`), the 10 MiB per
 * file and 25 MiB per request limits (40005), and the v10 attachment rules on edit: the `attachments`
 * array lists every attachment the message keeps, new uploads included by their `files[n]` index; files
 * not listed are not added, old attachments not listed are removed (`message.mdx` "Edit Message").
 */
import { DiscordHttpError, FormErrorCollector, emptyMessage, fileTooLarge } from './errors.js';
import { snowflake, type StoredAttachment, type StoredMessage, type UserFixture } from './world.js';
import { validateMessageBody } from './validate.js';

export const MAX_REQUEST_BYTES = 25 * 1024 * 1024;

export interface UploadedFile {
  index: number;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedBody {
  json: Record<string, unknown>;
  files: UploadedFile[];
}

/** Reads a request body: JSON, or multipart/form-data the way @discordjs/rest sends it. */
export async function parseBody(contentType: string | undefined, raw: Buffer): Promise<ParsedBody> {
  if (raw.length === 0) return { json: {}, files: [] };
  if (raw.length > MAX_REQUEST_BYTES) throw fileTooLarge();
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Request('http://stand-in/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
    let json: Record<string, unknown> = {};
    const files: UploadedFile[] = [];
    for (const [key, value] of form.entries()) {
      if (key === 'payload_json' && typeof value === 'string') json = JSON.parse(value) as Record<string, unknown>;
      const match = /^files\[(\d+)\]$/.exec(key);
      if (match && typeof value !== 'string') {
        files.push({ index: Number(match[1]), filename: value.name, contentType: value.type || 'application/octet-stream', data: Buffer.from(await value.arrayBuffer()) });
      }
    }
    return { json, files };
  }
  return { json: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, files: [] };
}

export class MessageFactory {
  constructor(private readonly cdnBase: string) {}

  attachment(channelId: string, file: { filename: string; contentType: string; data: Buffer; description?: string }): StoredAttachment {
    const id = snowflake();
    const url = `${this.cdnBase}/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`;
    return {
      id,
      filename: file.filename,
      size: file.data.length,
      content_type: file.contentType,
      url,
      proxy_url: url,
      data: file.data,
      ...(file.description !== undefined ? { description: file.description } : {}),
    };
  }

  /** Checks limits and builds a new message (not yet stored). */
  create(options: {
    body: ParsedBody;
    channelId: string;
    guildId: string | null;
    author: UserFixture;
    uploadLimit: number;
    allowEphemeral: boolean;
    extraFlags?: number;
    now: number;
  }): StoredMessage {
    const { json, files } = options.body;
    checkFiles(files, options.uploadLimit);
    validateMessageBody(json, { create: true, fileCount: files.length, allowEphemeral: options.allowEphemeral }).throwIfAny();
    const attachments = this.newAttachments(json, files, options.channelId, [], true);
    const hasBody =
      (typeof json.content === 'string' && json.content.length > 0) ||
      (Array.isArray(json.embeds) && json.embeds.length > 0) ||
      (Array.isArray(json.components) && json.components.length > 0) ||
      attachments.length > 0;
    if (!hasBody) throw emptyMessage();
    const message: StoredMessage = {
      id: snowflake(),
      channel_id: options.channelId,
      guild_id: options.guildId,
      author: options.author,
      content: typeof json.content === 'string' ? json.content : '',
      embeds: (json.embeds as Record<string, unknown>[] | undefined) ?? [],
      components: (json.components as Record<string, unknown>[] | undefined) ?? [],
      attachments,
      flags: ((json.flags as number | undefined) ?? 0) | (options.extraFlags ?? 0),
      timestamp: new Date(options.now).toISOString(),
      edited_timestamp: null,
      deleted: false,
      history: [],
    };
    snapshot(message, options.now);
    return message;
  }

  /** Applies a PATCH body to a stored message (PATCH semantics: absent fields stay). */
  edit(message: StoredMessage, body: ParsedBody, options: { uploadLimit: number; now: number; allowEphemeral: boolean }): void {
    const { json, files } = body;
    checkFiles(files, options.uploadLimit);
    validateMessageBody(json, { create: false, fileCount: files.length, allowEphemeral: options.allowEphemeral }).throwIfAny();
    if ('attachments' in json) message.attachments = this.newAttachments(json, files, message.channel_id, message.attachments, false);
    if ('content' in json) message.content = typeof json.content === 'string' ? json.content : '';
    if ('embeds' in json) message.embeds = (json.embeds as Record<string, unknown>[] | null) ?? [];
    if ('components' in json) message.components = (json.components as Record<string, unknown>[] | null) ?? [];
    if (typeof json.flags === 'number') message.flags = (message.flags & 64) | (json.flags & ~64);
    if (!message.content && message.embeds.length === 0 && message.components.length === 0 && message.attachments.length === 0)
      throw emptyMessage();
    message.edited_timestamp = new Date(options.now).toISOString();
    snapshot(message, options.now);
  }

  /**
   * The attachments a message ends up with. On create every uploaded file is attached (an `attachments`
   * array only names them); on edit exactly the listed ones survive.
   */
  private newAttachments(json: Record<string, unknown>, files: UploadedFile[], channelId: string, existing: StoredAttachment[], create: boolean): StoredAttachment[] {
    const listed = Array.isArray(json.attachments) ? (json.attachments as Record<string, unknown>[]) : null;
    const errors = new FormErrorCollector();
    const byIndex = new Map(files.map((file) => [String(file.index), file]));
    const result: StoredAttachment[] = [];
    if (create && listed === null) return files.map((file) => this.attachment(channelId, file));
    const used = new Set<string>();
    (listed ?? []).forEach((entry, i) => {
      const id = String(entry.id);
      const file = byIndex.get(id);
      const old = existing.find((attachment) => attachment.id === id);
      if (file && !used.has(id)) {
        used.add(id);
        const filename = typeof entry.filename === 'string' ? entry.filename : file.filename;
        result.push(this.attachment(channelId, { ...file, filename, ...(typeof entry.description === 'string' ? { description: entry.description } : {}) }));
      } else if (old) result.push(old);
      else errors.add(['attachments', i, 'id'], 'ATTACHMENT_NOT_FOUND', 'Unknown attachment: not an uploaded file index nor an existing attachment id');
    });
    errors.throwIfAny();
    if (create) for (const file of files) if (!used.has(String(file.index))) result.push(this.attachment(channelId, file));
    return result;
  }
}

function checkFiles(files: UploadedFile[], uploadLimit: number): void {
  let total = 0;
  for (const file of files) {
    total += file.data.length;
    if (file.data.length > uploadLimit) throw fileTooLarge();
  }
  if (total > MAX_REQUEST_BYTES) throw fileTooLarge();
  if (files.length > 10) throw new DiscordHttpError(400, { code: 50035, message: 'Invalid Form Body', errors: { files: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' }] } } });
}

function snapshot(message: StoredMessage, now: number): void {
  message.history.push({
    at: now,
    content: message.content,
    embeds: structuredClone(message.embeds),
    components: structuredClone(message.components),
    attachments: message.attachments.map((a) => a.filename),
  });
}

/** The message object Discord returns. */
export function messageJson(message: StoredMessage): Record<string, unknown> {
  return {
    id: message.id,
    type: message.interactionId ? 20 : 0,
    channel_id: message.channel_id,
    ...(message.guild_id ? { guild_id: message.guild_id } : {}),
    author: message.author,
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    attachments: message.attachments.map(({ data: _data, ...rest }) => rest),
    flags: message.flags,
    timestamp: message.timestamp,
    edited_timestamp: message.edited_timestamp,
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    ...(message.webhook_id ? { webhook_id: message.webhook_id, application_id: message.application_id } : {}),
  };
}
