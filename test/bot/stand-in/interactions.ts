/**
 * Builds the INTERACTION_CREATE payloads a Discord client would cause: slash commands (checked against the
 * registered definitions: a command or option value Discord would not send is refused unless `unchecked`),
 * autocomplete, button presses and select choices on a stored message (only components that are on it),
 * and modal submissions of a modal the bot actually opened.
 */
import { messageJson } from './messages.js';
import { snowflake, type ChannelFixture, type CommandRecord, type GuildFixture, type InteractionRecord, type StoredAttachment, type StoredMessage, type UserFixture, type World } from './world.js';

export interface Actor {
  user: UserFixture;
  channel: ChannelFixture;
  /** Role names the member has (guild channels only). */
  roles?: string[];
  /** Member permission bits (default: view/send/use commands; the guild owner gets Administrator). */
  permissions?: string;
  /** The interaction's `attachment_size_limit` (default 10 MiB). */
  attachmentSizeLimit?: number;
}

export interface UploadSpec {
  filename: string;
  data: Uint8Array;
  contentType?: string;
}

type OptionValue = string | number | boolean | UploadSpec;

const BOT_PERMISSIONS = '2147601408'; // view, send, embed links, attach files, read history, use commands
const MEMBER_PERMISSIONS = '2147486720';

export class InteractionFactory {
  constructor(
    private readonly world: World,
    private readonly upload: (channelId: string, spec: UploadSpec) => StoredAttachment,
    private readonly now: () => number,
  ) {}

  private base(type: InteractionRecord['type'], actor: Actor, data: Record<string, unknown>, message?: StoredMessage): InteractionRecord {
    const { channel, user } = actor;
    const guild: GuildFixture | undefined = channel.guild_id ? this.world.guilds.get(channel.guild_id) : undefined;
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb24${id}${Math.random().toString(36).slice(2)}`;
    const size = actor.attachmentSizeLimit ?? 10 * 1024 * 1024;
    const payload: Record<string, unknown> = {
      id,
      application_id: this.world.applicationId,
      type,
      token,
      version: 1,
      data,
      channel_id: channel.id,
      channel: guild
        ? { id: channel.id, type: 0, name: channel.name, guild_id: guild.id, position: 0, permission_overwrites: [], nsfw: false, parent_id: null, flags: 0 }
        : { id: channel.id, type: 1, recipients: [user], flags: 0 },
      app_permissions: BOT_PERMISSIONS,
      locale: 'en-US',
      entitlements: [],
      attachment_size_limit: size,
      authorizing_integration_owners: guild ? { '0': guild.id } : { '1': user.id },
      context: guild ? 0 : 1,
    };
    if (guild) {
      if (!guild.members.has(user.id)) guild.members.set(user.id, []);
      const roles = (actor.roles ?? []).map((name) => this.world.role(guild, name));
      payload.guild_id = guild.id;
      payload.guild = { id: guild.id, locale: 'en-US', features: [] };
      payload.guild_locale = 'en-US';
      payload.member = {
        user,
        roles,
        permissions: actor.permissions ?? (guild.owner_id === user.id ? '8' : MEMBER_PERMISSIONS),
        joined_at: new Date(0).toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
        nick: null,
        avatar: null,
        premium_since: null,
        communication_disabled_until: null,
      };
    } else payload.user = user;
    if (message) payload.message = messageJson(message);
    return {
      id,
      token,
      type,
      payload,
      createdAt: this.now(),
      dispatchedAtReal: Date.now(),
      channelId: channel.id,
      guildId: guild?.id ?? null,
      ack: null,
      sourceMessageId: message?.id ?? null,
      originalMessageId: null,
      loading: false,
      followups: [],
      modal: null,
      choices: null,
      attachmentSizeLimit: size,
    };
  }

  private findCommand(name: string, guildId: string | null): CommandRecord {
    const scoped = guildId ? (this.world.guildCommands.get(guildId) ?? []) : [];
    const command = scoped.find((c) => c.name === name) ?? this.world.globalCommands.find((c) => c.name === name);
    if (!command) throw new Error(`stand-in: /${name} is not registered ${guildId ? 'in this guild or globally' : 'globally'}; a Discord client cannot run it`);
    return command;
  }

  /** `name` may be "settings me" for a subcommand. */
  command(name: string, options: Record<string, OptionValue>, actor: Actor, extra: { unchecked?: boolean; focused?: string } = {}): InteractionRecord {
    const [root, sub] = name.split(' ') as [string, string | undefined];
    const command = this.findCommand(root, actor.channel.guild_id);
    let definitions = (command.options as Record<string, unknown>[] | undefined) ?? [];
    const resolvedAttachments: Record<string, unknown> = {};
    const resolvedRoles: Record<string, unknown> = {};
    const resolvedChannels: Record<string, unknown> = {};
    const built: Record<string, unknown>[] = [];
    let container = built;
    if (sub) {
      const subDef = definitions.find((o) => o.name === sub && o.type === 1);
      if (!subDef) throw new Error(`stand-in: /${root} has no subcommand ${sub}`);
      const subOptions: Record<string, unknown>[] = [];
      built.push({ name: sub, type: 1, options: subOptions });
      container = subOptions;
      definitions = (subDef.options as Record<string, unknown>[] | undefined) ?? [];
    }
    for (const [key, value] of Object.entries(options)) {
      const def = definitions.find((o) => o.name === key);
      if (!def && !extra.unchecked) throw new Error(`stand-in: /${name} has no option ${key}`);
      const type = (def?.type as number | undefined) ?? 3;
      const focused = extra.focused === key;
      if (!extra.unchecked && !focused) checkOption(name, key, def!, value);
      let wire: unknown = value;
      if (type === 8 && typeof value === 'string') {
        // Roles are given by name in tests; Discord sends the id and the role in `resolved`.
        const guild = this.world.guilds.get(actor.channel.guild_id ?? '');
        const role = guild?.roles.find((r) => r.name === value || r.id === value);
        if (!role) throw new Error(`stand-in: no role ${value}`);
        resolvedRoles[role.id] = { id: role.id, name: role.name, color: 0, hoist: false, position: 1, permissions: '0', managed: false, mentionable: false, flags: 0 };
        wire = role.id;
      } else if (type === 7 && typeof value === 'string') {
        const channel = [...this.world.channels.values()].find((c) => c.name === value || c.id === value);
        if (!channel) throw new Error(`stand-in: no channel ${value}`);
        resolvedChannels[channel.id] = { id: channel.id, type: channel.type, name: channel.name, guild_id: channel.guild_id, permissions: '2147601408', flags: 0 };
        wire = channel.id;
      } else if (type === 11 && typeof value === 'object') {
        const attachment = this.upload(actor.channel.id, value);
        const { data: _data, ...json } = attachment;
        resolvedAttachments[attachment.id] = { ...json, ephemeral: true };
        wire = attachment.id;
      }
      container.push({ name: key, type, value: wire, ...(focused ? { focused: true } : {}) });
    }
    if (!extra.unchecked && !extra.focused)
      for (const def of definitions) if (def.required === true && !(String(def.name) in options)) throw new Error(`stand-in: /${name} needs option ${String(def.name)}`);
    const data: Record<string, unknown> = { id: command.id, name: root, type: 1, options: built };
    if (actor.channel.guild_id && (this.world.guildCommands.get(actor.channel.guild_id) ?? []).some((c) => c.id === command.id)) data.guild_id = actor.channel.guild_id;
    const resolved = {
      ...(Object.keys(resolvedAttachments).length > 0 ? { attachments: resolvedAttachments } : {}),
      ...(Object.keys(resolvedRoles).length > 0 ? { roles: resolvedRoles } : {}),
      ...(Object.keys(resolvedChannels).length > 0 ? { channels: resolvedChannels } : {}),
    };
    if (Object.keys(resolved).length > 0) data.resolved = resolved;
    return this.base(extra.focused ? 4 : 2, actor, data);
  }

  button(message: StoredMessage, customId: string, actor: Actor, unchecked = false): InteractionRecord {
    if (!unchecked) {
      const button = findComponent(message, customId);
      if (!button || button.type !== 2) throw new Error(`stand-in: message ${message.id} has no button ${customId}`);
      if (button.disabled === true) throw new Error(`stand-in: button ${customId} is disabled`);
    }
    return this.base(3, actor, { custom_id: customId, component_type: 2 }, message);
  }

  select(message: StoredMessage, customId: string, values: string[], actor: Actor, unchecked = false): InteractionRecord {
    if (!unchecked) {
      const select = findComponent(message, customId);
      if (!select || select.type !== 3) throw new Error(`stand-in: message ${message.id} has no select ${customId}`);
      const allowed = new Set(((select.options as { value: string }[] | undefined) ?? []).map((o) => o.value));
      for (const value of values) if (!allowed.has(value)) throw new Error(`stand-in: ${value} is not an option of ${customId}`);
    }
    return this.base(3, actor, { custom_id: customId, component_type: 3, values }, message);
  }

  /** Submits the modal `opener` answered with; unspecified inputs keep their prefilled value. */
  modalSubmit(opener: InteractionRecord, values: Record<string, string | string[]>, actor: Actor, unchecked = false): InteractionRecord {
    const modal = opener.modal;
    if (!modal) throw new Error('stand-in: that interaction did not open a modal');
    const seen = new Set<string>();
    const components = (modal.components as Record<string, unknown>[]).map((top) => {
      if (top.type === 10) return { type: 10, id: top.id };
      const inner = (top.type === 1 ? (top.components as Record<string, unknown>[])[0] : top.component) as Record<string, unknown>;
      const customId = String(inner.custom_id);
      seen.add(customId);
      const given = values[customId];
      let answer: Record<string, unknown>;
      if (inner.type === 4) {
        const value = typeof given === 'string' ? given : typeof inner.value === 'string' ? inner.value : '';
        if (!unchecked) checkTextInput(customId, inner, value);
        answer = { type: 4, custom_id: customId, value };
      } else {
        // Untouched, a select submits the options it shows as selected (`default: true`).
        const defaults = ((inner.options as { value: string; default?: boolean }[] | undefined) ?? []).filter((o) => o.default).map((o) => o.value);
        const chosen = Array.isArray(given) ? given : given === undefined ? defaults : [given];
        if (!unchecked) {
          const allowed = new Set(((inner.options as { value: string }[] | undefined) ?? []).map((o) => o.value));
          for (const value of chosen) if (!allowed.has(value)) throw new Error(`stand-in: ${value} is not an option of ${customId}`);
          if (inner.required !== false && chosen.length === 0) throw new Error(`stand-in: ${customId} is required`);
        }
        answer = { type: inner.type, custom_id: customId, values: chosen };
      }
      return top.type === 1 ? { type: 1, components: [answer] } : { type: 18, component: answer };
    });
    if (!unchecked) for (const key of Object.keys(values)) if (!seen.has(key)) throw new Error(`stand-in: the modal has no input ${key}`);
    const message = opener.sourceMessageId ? this.world.messages.get(opener.sourceMessageId) : undefined;
    return this.base(5, actor, { custom_id: modal.custom_id, components }, message);
  }
}

function findComponent(message: StoredMessage, customId: string): Record<string, unknown> | undefined {
  for (const row of message.components) for (const child of (row.components as Record<string, unknown>[] | undefined) ?? []) if (child.custom_id === customId) return child;
  return undefined;
}

function checkTextInput(customId: string, input: Record<string, unknown>, value: string): void {
  const min = typeof input.min_length === 'number' ? input.min_length : 0;
  const max = typeof input.max_length === 'number' ? input.max_length : 4000;
  if (input.required !== false && value.length === 0) throw new Error(`stand-in: ${customId} is required; Discord's client will not submit it empty`);
  if (value.length > 0 && (value.length < min || value.length > max)) throw new Error(`stand-in: ${customId} must be ${min}–${max} characters (got ${value.length}); Discord's client enforces this`);
}

function checkOption(command: string, key: string, def: Record<string, unknown>, value: OptionValue): void {
  const type = def.type as number;
  const where = `/${command} ${key}`;
  if (type === 3) {
    if (typeof value !== 'string') throw new Error(`stand-in: ${where} must be a string`);
    if (typeof def.max_length === 'number' && value.length > def.max_length) throw new Error(`stand-in: ${where} is limited to ${def.max_length} characters by Discord`);
    if (typeof def.min_length === 'number' && value.length < def.min_length) throw new Error(`stand-in: ${where} needs ${def.min_length}+ characters`);
  } else if (type === 4 || type === 10) {
    if (typeof value !== 'number' || (type === 4 && !Number.isInteger(value))) throw new Error(`stand-in: ${where} must be ${type === 4 ? 'an integer' : 'a number'}`);
    if (typeof def.min_value === 'number' && value < def.min_value) throw new Error(`stand-in: ${where} must be ≥ ${def.min_value}`);
    if (typeof def.max_value === 'number' && value > def.max_value) throw new Error(`stand-in: ${where} must be ≤ ${def.max_value}`);
  } else if (type === 5 && typeof value !== 'boolean') throw new Error(`stand-in: ${where} must be a boolean`);
  else if (type === 11 && typeof value !== 'object') throw new Error(`stand-in: ${where} must be an upload`);
  const choices = def.choices as { value: unknown }[] | undefined;
  if (choices && !choices.some((c) => c.value === value)) throw new Error(`stand-in: ${where} must be one of its choices`);
}
