/**
 * A strict local Discord: node:http for the REST routes a bot uses and `ws` for the gateway, on loopback.
 * It answers what Discord would (shared/spec/product.md §1.1b): 3 s ack deadline (10062), double acks
 * (40060), 15-minute interaction tokens (50027) on an injectable clock, 10 MiB per file (40005), field limits
 * (50035 with Discord's `errors` shape), v10 attachment rules on edit, ephemeral messages unreachable through
 * the channel routes (10008), and 204 with no content-type where Discord sends no body. Tests drive it
 * (interactions in, assertions over messages and the request log) while the real discord.js client runs.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  DiscordHttpError,
  alreadyAcknowledged,
  cannotEditOthers,
  invalidWebhookToken,
  missingAccess,
  notFound,
  unauthorized,
  unknownChannel,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
} from './errors.js';
import { Gateway } from './gateway.js';
import { InteractionFactory, type Actor, type UploadSpec } from './interactions.js';
import { MessageFactory, messageJson, parseBody, type ParsedBody } from './messages.js';
import { EPHEMERAL, LOADING, validateChoices, validateCommands, validateModal } from './validate.js';
import { World, snowflake, type CommandRecord, type InteractionRecord, type StoredMessage } from './world.js';

export const ACK_DEADLINE_MS = 3000;
export const TOKEN_LIFETIME_MS = 15 * 60 * 1000;

export interface LogEntry {
  method: string;
  path: string;
  route: string;
  auth: boolean;
  status: number;
  code: number | null;
  json: Record<string, unknown>;
  files: { filename: string; size: number; contentType: string }[];
  atReal: number;
  atClock: number;
  /** The content-type the stand-in answered with (null for bodiless answers). */
  responseType: string | null;
}

type Handler = (req: IncomingMessage, params: string[], body: ParsedBody, url: URL) => Promise<{ status: number; json?: unknown }>;

export class DiscordStandIn {
  readonly applicationId = snowflake();
  readonly token = `stand-in.${Math.random().toString(36).slice(2)}.bot-token`;
  readonly world = new World(this.applicationId);
  readonly log: LogEntry[] = [];
  /** Stand-in time: Date.now() + offset; deadlines read it, tests move it with {@link advance}. */
  private offset = 0;
  private server: Server | null = null;
  private port = 0;
  private gateway!: Gateway;
  private messagesFactory!: MessageFactory;
  private interactionsFactory!: InteractionFactory;
  private readonly routes: { method: string; pattern: RegExp; name: string; auth: boolean; handler: Handler }[] = [];
  /** Number of bulk-overwrite PUTs of commands, by scope ('global' or a guild id). */
  readonly commandPuts = new Map<string, number>();

  now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }

  get apiBase(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayConnections(): number {
    return this.gateway.connected;
  }

  get identifies(): { intents: number }[] {
    return this.gateway.identifies;
  }

  async start(): Promise<this> {
    this.gateway = new Gateway(this.world, this.token, () => `ws://127.0.0.1:${this.port}/gateway`);
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/gateway')) {
        socket.destroy();
        return;
      }
      this.gateway.server.handleUpgrade(req, socket, head, (ws) => this.gateway.server.emit('connection', ws, req));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    this.messagesFactory = new MessageFactory(`http://127.0.0.1:${this.port}/cdn`);
    this.interactionsFactory = new InteractionFactory(this.world, (channelId, spec) => this.upload(channelId, spec), this.now);
    this.registerRoutes();
    return this;
  }

  async stop(): Promise<void> {
    this.gateway.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  // ---- test-facing API -------------------------------------------------------------------------

  /** An attachment uploaded by a user (e.g. for /remix), served from the stand-in's CDN. */
  upload(channelId: string, spec: UploadSpec) {
    const attachment = this.messagesFactory.attachment(channelId, {
      filename: spec.filename,
      contentType: spec.contentType ?? 'application/octet-stream',
      data: Buffer.from(spec.data),
    });
    this.uploads.set(attachment.id, attachment);
    return attachment;
  }
  private readonly uploads = new Map<string, ReturnType<MessageFactory['attachment']>>();

  command(name: string, options: Record<string, string | number | boolean | UploadSpec>, actor: Actor, extra: { unchecked?: boolean } = {}): InteractionRecord {
    return this.dispatch(this.interactionsFactory.command(name, options, actor, extra));
  }

  autocomplete(name: string, options: Record<string, string | number | boolean>, focused: string, actor: Actor): InteractionRecord {
    return this.dispatch(this.interactionsFactory.command(name, options, actor, { focused }));
  }

  press(message: StoredMessage, customId: string, actor: Actor, unchecked = false): InteractionRecord {
    return this.dispatch(this.interactionsFactory.button(message, customId, actor, unchecked));
  }

  choose(message: StoredMessage, customId: string, values: string[], actor: Actor): InteractionRecord {
    return this.dispatch(this.interactionsFactory.select(message, customId, values, actor));
  }

  submitModal(opener: InteractionRecord, values: Record<string, string | string[]>, actor: Actor, unchecked = false): InteractionRecord {
    return this.dispatch(this.interactionsFactory.modalSubmit(opener, values, actor, unchecked));
  }

  private dispatch(record: InteractionRecord): InteractionRecord {
    this.world.interactions.set(record.id, record);
    record.createdAt = this.now();
    record.dispatchedAtReal = Date.now();
    if (this.gateway.dispatch('INTERACTION_CREATE', record.payload) === 0) throw new Error('stand-in: no bot is connected to the gateway');
    return record;
  }

  /** Polls until `probe` returns a value (not undefined/false/null) or the timeout passes. */
  async waitFor<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`stand-in: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  acked(record: InteractionRecord, timeoutMs = 5000) {
    return this.waitFor(() => record.ack, `the ack of interaction ${record.id}`, timeoutMs);
  }

  message(id: string | null | undefined): StoredMessage | undefined {
    return id ? this.world.messages.get(id) : undefined;
  }

  /** Non-deleted messages in a channel, oldest first. */
  channelMessages(channelId: string): StoredMessage[] {
    return [...this.world.messages.values()].filter((m) => m.channel_id === channelId && !m.deleted);
  }

  /** Requests that were refused (status ≥ 400), for asserting that the bot never sent what Discord refuses. */
  failures(): LogEntry[] {
    return this.log.filter((entry) => entry.status >= 400);
  }

  // ---- HTTP --------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: LogEntry = { method: req.method ?? 'GET', path: url.pathname, route: '?', auth: false, status: 0, code: null, json: {}, files: [], atReal: Date.now(), atClock: this.now(), responseType: null };
    try {
      if (url.pathname.startsWith('/cdn/')) return this.serveCdn(url, res, entry);
      const path = url.pathname.replace(/^\/api\/v10/, '');
      const route = this.routes.find((r) => r.method === req.method && r.pattern.test(path));
      if (!route) throw notFound();
      entry.route = route.name;
      entry.auth = req.headers.authorization === `Bot ${this.token}`;
      if (route.auth && !entry.auth) throw unauthorized();
      const body = await parseBody(req.headers['content-type'], raw);
      entry.json = body.json;
      entry.files = body.files.map((f) => ({ filename: f.filename, size: f.data.length, contentType: f.contentType }));
      const params = route.pattern.exec(path)!.slice(1).map(decodeURIComponent);
      const result = await route.handler(req, params, body, url);
      entry.status = result.status;
      entry.responseType = result.json === undefined ? null : 'application/json';
      if (result.json === undefined) {
        res.writeHead(result.status); // no content-type: an empty JSON body would make undici throw
        res.end();
      } else this.json(res, result.status, result.json);
    } catch (error) {
      const failure = error instanceof DiscordHttpError ? error : new DiscordHttpError(500, { code: 0, message: `stand-in bug: ${String(error)}` });
      entry.status = failure.status;
      entry.code = failure.body.code;
      this.json(res, failure.status, failure.body);
    } finally {
      this.log.push(entry);
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private serveCdn(url: URL, res: ServerResponse, entry: LogEntry): void {
    entry.route = 'cdn';
    const id = url.pathname.split('/')[4];
    const attachment =
      (id ? this.uploads.get(id) : undefined) ??
      [...this.world.messages.values()].flatMap((m) => m.attachments).find((a) => a.id === id);
    if (!attachment) {
      entry.status = 404;
      res.writeHead(404);
      return void res.end();
    }
    entry.status = 200;
    res.writeHead(200, { 'content-type': attachment.content_type, 'content-length': attachment.data.length });
    res.end(attachment.data);
  }

  private on(method: string, pattern: string, name: string, auth: boolean, handler: Handler): void {
    this.routes.push({ method, pattern: new RegExp(`^${pattern.replace(/:\w+/g, '([^/]+)')}$`), name, auth, handler });
  }

  private registerRoutes(): void {
    const gateway = () => ({ url: `ws://127.0.0.1:${this.port}/gateway` });
    this.on('GET', '/gateway/bot', 'gateway/bot', true, async () => ({
      status: 200,
      json: { ...gateway(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } },
    }));
    this.on('GET', '/gateway', 'gateway', false, async () => ({ status: 200, json: gateway() }));
    this.on('GET', '/users/@me', 'users/@me', true, async () => ({ status: 200, json: this.world.bot }));
    this.on('GET', '/applications/@me', 'applications/@me', true, async () => ({ status: 200, json: { id: this.applicationId, name: 'acejam', flags: 0, bot: this.world.bot } }));

    // Commands: bulk overwrite and list, global and guild-scoped.
    const commandScope = (app: string, guildId: string | null) => {
      if (app !== this.applicationId) throw new DiscordHttpError(403, { code: 50001, message: 'Missing Access' });
      if (guildId && !this.world.guilds.has(guildId)) throw new DiscordHttpError(403, { code: 50001, message: 'Missing Access' });
      if (!guildId) return this.world.globalCommands;
      if (!this.world.guildCommands.has(guildId)) this.world.guildCommands.set(guildId, []);
      return this.world.guildCommands.get(guildId)!;
    };
    const put = (list: CommandRecord[], body: unknown, guildId: string | null) => {
      validateCommands(body).throwIfAny();
      const next = (body as Record<string, unknown>[]).map((command) => this.normalizeCommand(command, list, guildId));
      list.splice(0, list.length, ...next);
      this.commandPuts.set(guildId ?? 'global', (this.commandPuts.get(guildId ?? 'global') ?? 0) + 1);
      return { status: 200, json: next };
    };
    this.on('GET', '/applications/:app/commands', 'GET commands', true, async (_r, [app]) => ({ status: 200, json: commandScope(app!, null) }));
    this.on('PUT', '/applications/:app/commands', 'PUT commands', true, async (_r, [app], body) => put(commandScope(app!, null), body.json as unknown, null));
    this.on('GET', '/applications/:app/guilds/:guild/commands', 'GET guild commands', true, async (_r, [app, guild]) => ({ status: 200, json: commandScope(app!, guild!) }));
    this.on('PUT', '/applications/:app/guilds/:guild/commands', 'PUT guild commands', true, async (_r, [app, guild], body) => put(commandScope(app!, guild!), body.json as unknown, guild!));

    // Interaction callbacks.
    this.on('POST', '/interactions/:id/:token/callback', 'interaction callback', false, async (_r, [id, token], body, url) => this.callback(id!, token!, body, url));

    // Webhook (interaction token) follow-ups and edits.
    this.on('POST', '/webhooks/:app/:token', 'webhook execute', false, async (_r, [app, token], body) => this.followUp(app!, token!, body));
    this.on('GET', '/webhooks/:app/:token/messages/:message', 'webhook get message', false, async (_r, [app, token, id]) => ({
      status: 200,
      json: messageJson(this.webhookMessage(app!, token!, id!).message),
    }));
    this.on('PATCH', '/webhooks/:app/:token/messages/:message', 'webhook edit message', false, async (_r, [app, token, id], body) => {
      const { message, record } = this.webhookMessage(app!, token!, id!);
      this.messagesFactory.edit(message, body, { uploadLimit: record.attachmentSizeLimit, now: this.now(), allowEphemeral: true });
      if (message.id === record.originalMessageId && record.loading) {
        record.loading = false;
        message.flags &= ~LOADING;
      }
      return { status: 200, json: messageJson(message) };
    });
    this.on('DELETE', '/webhooks/:app/:token/messages/:message', 'webhook delete message', false, async (_r, [app, token, id]) => {
      const { message, record } = this.webhookMessage(app!, token!, id!);
      message.deleted = true;
      if (message.id === record.originalMessageId) record.loading = false;
      return { status: 204 };
    });

    // Channel messages (bot token).
    this.on('GET', '/channels/:channel', 'GET channel', true, async (_r, [channelId]) => {
      const channel = this.channel(channelId!);
      return { status: 200, json: { id: channel.id, type: channel.type, name: channel.name, guild_id: channel.guild_id ?? undefined, recipients: channel.recipients } };
    });
    this.on('POST', '/channels/:channel/messages', 'channel create message', true, async (_r, [channelId], body) => {
      const channel = this.channel(channelId!);
      const message = this.messagesFactory.create({ body, channelId: channel.id, guildId: channel.guild_id, author: this.world.bot, uploadLimit: channel.uploadLimit, allowEphemeral: false, now: this.now() });
      this.world.messages.set(message.id, message);
      return { status: 200, json: messageJson(message) };
    });
    this.on('GET', '/channels/:channel/messages/:message', 'channel get message', true, async (_r, [channelId, id]) => ({
      status: 200,
      json: messageJson(this.channelMessage(channelId!, id!)),
    }));
    this.on('PATCH', '/channels/:channel/messages/:message', 'channel edit message', true, async (_r, [channelId, id], body) => {
      const message = this.channelMessage(channelId!, id!);
      if (message.author.id !== this.world.bot.id) throw cannotEditOthers();
      this.messagesFactory.edit(message, body, { uploadLimit: this.channel(channelId!).uploadLimit, now: this.now(), allowEphemeral: false });
      return { status: 200, json: messageJson(message) };
    });
    this.on('DELETE', '/channels/:channel/messages/:message', 'channel delete message', true, async (_r, [channelId, id]) => {
      this.channelMessage(channelId!, id!).deleted = true;
      return { status: 204 };
    });
  }

  private normalizeCommand(command: Record<string, unknown>, existing: CommandRecord[], guildId: string | null): CommandRecord {
    const strip = (options: unknown): unknown =>
      Array.isArray(options)
        ? options.map((o: Record<string, unknown>) => {
            const { required, autocomplete, options: nested, ...rest } = o;
            return { ...rest, ...(required === true ? { required } : {}), ...(autocomplete === true ? { autocomplete } : {}), ...(nested !== undefined ? { options: strip(nested) } : {}) };
          })
        : undefined;
    const id = existing.find((c) => c.name === command.name)?.id ?? snowflake();
    const options = strip(command.options);
    return {
      ...command,
      ...(options !== undefined ? { options } : {}),
      id,
      application_id: this.applicationId,
      version: snowflake(),
      type: (command.type as number | undefined) ?? 1,
      default_member_permissions: (command.default_member_permissions as string | null | undefined) ?? null,
      nsfw: (command.nsfw as boolean | undefined) ?? false,
      integration_types: (command.integration_types as number[] | undefined) ?? [0],
      contexts: (command.contexts as number[] | null | undefined) ?? null,
      ...(guildId ? { guild_id: guildId } : { dm_permission: true }),
      name: String(command.name),
    };
  }

  private channel(id: string) {
    const channel = this.world.channels.get(id);
    if (!channel) throw unknownChannel();
    if (!channel.accessible) throw missingAccess();
    return channel;
  }

  private channelMessage(channelId: string, id: string): StoredMessage {
    this.channel(channelId);
    const message = this.world.messages.get(id);
    // Ephemeral messages exist only for the interaction token (product.md §1.1b).
    if (!message || message.deleted || message.channel_id !== channelId || message.flags & EPHEMERAL) throw unknownMessage();
    return message;
  }

  private interactionByToken(app: string, token: string): InteractionRecord {
    if (app !== this.applicationId) throw unknownWebhook();
    const record = [...this.world.interactions.values()].find((r) => r.token === token);
    if (!record) throw unknownWebhook();
    if (this.now() - record.createdAt > TOKEN_LIFETIME_MS) throw invalidWebhookToken();
    if (!record.ack || record.ack.type === 8) throw unknownWebhook();
    return record;
  }

  private webhookMessage(app: string, token: string, id: string): { message: StoredMessage; record: InteractionRecord } {
    const record = this.interactionByToken(app, token);
    const messageId = id === '@original' ? record.originalMessageId : record.followups.includes(id) || id === record.originalMessageId ? id : null;
    const message = messageId ? this.world.messages.get(messageId) : undefined;
    if (!message || message.deleted) throw unknownMessage();
    return { message, record };
  }

  private async callback(id: string, token: string, body: ParsedBody, url: URL): Promise<{ status: number; json?: unknown }> {
    const record = this.world.interactions.get(id);
    if (!record || record.token !== token) throw unknownInteraction();
    if (record.ack) throw alreadyAcknowledged();
    if (this.now() - record.createdAt > ACK_DEADLINE_MS) throw unknownInteraction();
    const type = body.json.type as number;
    const data = body.json.data as Record<string, unknown> | undefined;
    const allowed: Record<number, number[]> = {
      2: [4, 5, 9],
      3: [4, 5, 6, 7, 9],
      4: [8],
      5: record.sourceMessageId ? [4, 5, 6, 7] : [4, 5],
    };
    if (!allowed[record.type]!.includes(type))
      throw new DiscordHttpError(400, { code: 50035, message: 'Invalid Form Body', errors: { type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: `Response type ${type} is not valid for interaction type ${record.type}` }] } } });
    const base = { channelId: record.channelId, guildId: record.guildId, author: this.world.bot, uploadLimit: record.attachmentSizeLimit, now: this.now() };
    let message: StoredMessage | undefined;
    if (type === 4) {
      message = this.messagesFactory.create({ ...base, body: { json: data ?? {}, files: body.files }, allowEphemeral: true });
    } else if (type === 5) {
      const flags = ((data?.flags as number | undefined) ?? 0) & EPHEMERAL;
      message = this.messagesFactory.create({ ...base, body: { json: { content: '…', flags }, files: [] }, allowEphemeral: true, extraFlags: LOADING });
      message.content = '';
      record.loading = true;
    } else if (type === 6 || type === 7) {
      record.originalMessageId = record.sourceMessageId;
      if (type === 7) {
        const source = this.world.messages.get(record.sourceMessageId!)!;
        this.messagesFactory.edit(source, { json: data ?? {}, files: body.files }, { uploadLimit: record.attachmentSizeLimit, now: this.now(), allowEphemeral: true });
      }
    } else if (type === 8) {
      validateChoices(data).throwIfAny();
      record.choices = (data!.choices as InteractionRecord['choices'])!;
    } else if (type === 9) {
      validateModal(data).throwIfAny();
      record.modal = data!;
    }
    if (message) {
      message.interactionId = record.id;
      message.webhook_id = this.applicationId;
      message.application_id = this.applicationId;
      this.world.messages.set(message.id, message);
      record.originalMessageId = message.id;
    }
    record.ack = { type, elapsedMs: Date.now() - record.dispatchedAtReal, data };
    if (url.searchParams.get('with_response') === 'true') {
      return { status: 200, json: { interaction: { id: record.id, type: record.type, response_message_loading: record.loading, response_message_ephemeral: message ? (message.flags & EPHEMERAL) !== 0 : false }, resource: { type, ...(message ? { message: messageJson(message) } : {}) } } };
    }
    return { status: 204 };
  }

  private followUp(app: string, token: string, body: ParsedBody): { status: number; json?: unknown } {
    const record = this.interactionByToken(app, token);
    const original = record.originalMessageId ? this.world.messages.get(record.originalMessageId) : undefined;
    if (record.loading && original && !original.deleted) {
      // After a type-5 defer the first follow-up replaces the loading message; its ephemerality came from the defer.
      this.messagesFactory.edit(original, { json: { ...body.json, flags: 0 }, files: body.files }, { uploadLimit: record.attachmentSizeLimit, now: this.now(), allowEphemeral: true });
      if (body.files.length > 0 && !('attachments' in body.json)) original.attachments = body.files.map((f) => this.messagesFactory.attachment(original.channel_id, f));
      original.flags &= ~LOADING;
      record.loading = false;
      return { status: 200, json: messageJson(original) };
    }
    const message = this.messagesFactory.create({ body, channelId: record.channelId, guildId: record.guildId, author: this.world.bot, uploadLimit: record.attachmentSizeLimit, allowEphemeral: true, now: this.now() });
    message.interactionId = record.id;
    message.webhook_id = this.applicationId;
    message.application_id = this.applicationId;
    this.world.messages.set(message.id, message);
    record.followups.push(message.id);
    return { status: 200, json: messageJson(message) };
  }
}
