/**
 * The stand-in's state: users, guilds, channels, messages with their attachment bytes, interactions, and
 * registered commands. Plain data; the HTTP routes and the gateway read and change it.
 */
export interface UserFixture {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: '0';
  avatar: null;
  bot?: boolean;
}

export interface ChannelFixture {
  id: string;
  type: 0 | 1;
  name: string;
  guild_id: string | null;
  /** The bot may read and post here (false simulates a channel the bot cannot see: 50001). */
  accessible: boolean;
  /** Largest file the channel accepts (10 MiB by default). */
  uploadLimit: number;
  recipients?: UserFixture[];
}

export interface GuildFixture {
  id: string;
  name: string;
  owner_id: string;
  roles: { id: string; name: string }[];
  channels: string[];
  /** member id → role ids */
  members: Map<string, string[]>;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  size: number;
  content_type: string;
  url: string;
  proxy_url: string;
  description?: string;
  data: Buffer;
}

export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id: string | null;
  author: UserFixture;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  attachments: StoredAttachment[];
  flags: number;
  timestamp: string;
  edited_timestamp: string | null;
  webhook_id?: string;
  application_id?: string;
  /** The interaction that created it (responses and follow-ups). */
  interactionId?: string;
  deleted: boolean;
  /** Every version of the message body, oldest first (tests read the status edits from here). */
  history: { at: number; content: string; embeds: Record<string, unknown>[]; components: Record<string, unknown>[]; attachments: string[] }[];
}

export interface AckRecord {
  type: number;
  /** Milliseconds (real time) from dispatch to the callback. */
  elapsedMs: number;
  data: Record<string, unknown> | undefined;
}

export interface InteractionRecord {
  id: string;
  token: string;
  type: 2 | 3 | 4 | 5;
  payload: Record<string, unknown>;
  /** Stand-in clock time of creation (deadlines: 3 s ack, 15 min token). */
  createdAt: number;
  dispatchedAtReal: number;
  channelId: string;
  guildId: string | null;
  ack: AckRecord | null;
  /** The message a component (or a modal opened from one) belongs to. */
  sourceMessageId: string | null;
  /** The response message (type 4/5), or the source message after 6/7. */
  originalMessageId: string | null;
  loading: boolean;
  followups: string[];
  modal: Record<string, unknown> | null;
  choices: { name: string; value: unknown }[] | null;
  attachmentSizeLimit: number;
}

export interface CommandRecord extends Record<string, unknown> {
  id: string;
  name: string;
}

export const DISCORD_EPOCH = 1420070400000n;
let counter = 0n;

/** A fresh snowflake (increasing). */
export function snowflake(now = Date.now()): string {
  counter = (counter + 1n) & 0xfffn;
  return String(((BigInt(now) - DISCORD_EPOCH) << 22n) | (1n << 17n) | counter);
}

export class World {
  readonly users = new Map<string, UserFixture>();
  readonly guilds = new Map<string, GuildFixture>();
  readonly channels = new Map<string, ChannelFixture>();
  readonly messages = new Map<string, StoredMessage>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly globalCommands: CommandRecord[] = [];
  readonly guildCommands = new Map<string, CommandRecord[]>();
  readonly bot: UserFixture;

  constructor(readonly applicationId: string) {
    this.bot = { id: applicationId, username: 'acejam', global_name: 'acejam', discriminator: '0', avatar: null, bot: true };
    this.users.set(this.bot.id, this.bot);
  }

  addUser(username: string): UserFixture {
    const user: UserFixture = { id: snowflake(), username, global_name: username, discriminator: '0', avatar: null };
    this.users.set(user.id, user);
    return user;
  }

  addGuild(name: string, owner: UserFixture, channelNames: string[], roleNames: string[] = []): GuildFixture {
    const id = snowflake();
    const guild: GuildFixture = {
      id,
      name,
      owner_id: owner.id,
      roles: [{ id, name: '@everyone' }, ...roleNames.map((roleName) => ({ id: snowflake(), name: roleName }))],
      channels: [],
      members: new Map([[owner.id, []]]),
    };
    for (const channelName of channelNames) guild.channels.push(this.addChannel(channelName, id).id);
    this.guilds.set(id, guild);
    return guild;
  }

  addChannel(name: string, guildId: string | null): ChannelFixture {
    const channel: ChannelFixture = { id: snowflake(), type: guildId ? 0 : 1, name, guild_id: guildId, accessible: true, uploadLimit: 10 * 1024 * 1024 };
    this.channels.set(channel.id, channel);
    return channel;
  }

  dmChannel(user: UserFixture): ChannelFixture {
    for (const channel of this.channels.values()) if (channel.type === 1 && channel.recipients?.[0]?.id === user.id) return channel;
    const channel = this.addChannel(`dm-${user.username}`, null);
    channel.recipients = [user];
    return channel;
  }

  role(guild: GuildFixture, name: string): string {
    const role = guild.roles.find((r) => r.name === name);
    if (!role) throw new Error(`no role ${name}`);
    return role.id;
  }

  channelByName(name: string): ChannelFixture {
    for (const channel of this.channels.values()) if (channel.name === name) return channel;
    throw new Error(`no channel ${name}`);
  }
}
