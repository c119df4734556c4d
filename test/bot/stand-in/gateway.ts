/**
 * The gateway: HELLO, IDENTIFY → READY + one GUILD_CREATE a guild, heartbeats (op 1 → op 11), and
 * dispatches. Plain JSON frames (discord.js compresses only when zlib-sync is installed). Privileged
 * intents (GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT) are refused with close code 4014, as Discord
 * does for an app that has not enabled them.
 */
import { WebSocketServer, type WebSocket } from 'ws';

import { snowflake, type World } from './world.js';

const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15);

interface Session {
  socket: WebSocket;
  identified: boolean;
  seq: number;
  intents: number;
}

export class Gateway {
  readonly server = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<Session>();
  readonly identifies: { intents: number; at: number }[] = [];

  constructor(
    private readonly world: World,
    private readonly token: string,
    private readonly url: () => string,
  ) {
    this.server.on('connection', (socket) => this.open(socket));
  }

  get connected(): number {
    return [...this.sessions].filter((s) => s.identified).length;
  }

  private open(socket: WebSocket): void {
    const session: Session = { socket, identified: false, seq: 0, intents: 0 };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('message', (raw) => this.receive(session, raw.toString()));
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41250 }, s: null, t: null }));
  }

  private receive(session: Session, raw: string): void {
    const frame = JSON.parse(raw) as { op: number; d: Record<string, unknown> | number | null };
    if (frame.op === 1) return void session.socket.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
    if (frame.op === 6) return void session.socket.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
    if (frame.op !== 2 || typeof frame.d !== 'object' || frame.d === null) return;
    const { token, intents } = frame.d as { token?: string; intents?: number };
    if (token !== this.token && token !== `Bot ${this.token}`) return session.socket.close(4004, 'Authentication failed.');
    if (typeof intents !== 'number') return session.socket.close(4013, 'Invalid intent(s).');
    if (intents & PRIVILEGED_INTENTS) return session.socket.close(4014, 'Disallowed intent(s).');
    session.identified = true;
    session.intents = intents;
    this.identifies.push({ intents, at: Date.now() });
    this.send(session, 'READY', {
      v: 10,
      user: this.world.bot,
      guilds: [...this.world.guilds.keys()].map((id) => ({ id, unavailable: true })),
      session_id: snowflake(),
      resume_gateway_url: this.url(),
      shard: [0, 1],
      application: { id: this.world.applicationId, flags: 0 },
      user_settings: {},
      private_channels: [],
      relationships: [],
    });
    for (const guild of this.world.guilds.values()) this.send(session, 'GUILD_CREATE', this.guildCreate(guild.id));
  }

  private guildCreate(guildId: string): Record<string, unknown> {
    const guild = this.world.guilds.get(guildId)!;
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      owner_id: guild.owner_id,
      features: [],
      roles: guild.roles.map((role, position) => ({
        id: role.id,
        name: role.name,
        color: 0,
        hoist: false,
        position,
        permissions: role.name === '@everyone' ? '2147486720' : '0',
        managed: false,
        mentionable: false,
        flags: 0,
      })),
      channels: guild.channels.map((id, position) => {
        const channel = this.world.channels.get(id)!;
        return { id, type: 0, name: channel.name, guild_id: guild.id, position, permission_overwrites: [], nsfw: false, parent_id: null };
      }),
      members: [],
      emojis: [],
      stickers: [],
      threads: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      member_count: guild.members.size,
      large: false,
      unavailable: false,
      joined_at: new Date().toISOString(),
      preferred_locale: 'en-US',
      premium_tier: 0,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      system_channel_flags: 0,
    };
  }

  private send(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    session.socket.send(JSON.stringify({ op: 0, t, s: session.seq, d }));
  }

  /** Sends a dispatch to every identified session; returns how many received it. */
  dispatch(t: string, d: unknown): number {
    let count = 0;
    for (const session of this.sessions) {
      if (!session.identified) continue;
      this.send(session, t, d);
      count += 1;
    }
    return count;
  }

  close(): void {
    for (const session of this.sessions) session.socket.terminate();
    this.server.close();
  }
}
