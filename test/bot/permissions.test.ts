import { describe, expect, it } from 'vitest';

import { DEFAULT_GUILD_SETTINGS, type GuildSettings } from '../../src/bot/guild-settings.js';
import { blockedWord, mayCompose, mayManageServer, maySongAction, type Presser } from '../../src/bot/permissions.js';

const alice = 'discord:100000000000000001';
const bob = 'discord:100000000000000002';
const guild = '900000000000000000';
const presser = (user: string, roles: string[] = [], extra: Partial<Presser> = {}): Presser => ({ user, roles, guildId: guild, ...extra });
const settings = (patch: Partial<GuildSettings>): GuildSettings => ({ ...DEFAULT_GUILD_SETTINGS, ...patch });
const publicSong = { owner: alice, visibility: 'public' as const };
const privateSong = { owner: alice, visibility: 'private' as const };

describe('song permissions', () => {
  it('lets only the owner use a private song, for every action, in servers and DMs', () => {
    for (const action of ['view', 'remix'] as const) {
      expect(maySongAction(privateSong, presser(alice), settings({}), action).ok).toBe(true);
      expect(maySongAction(privateSong, presser(bob), settings({}), action)).toMatchObject({ ok: false, reason: expect.stringMatching(/private/) });
      expect(maySongAction(privateSong, presser(bob, [], { guildId: null }), null, action).ok).toBe(false);
    }
  });

  it('follows the server rule for public songs: anyone / owner / role', () => {
    expect(maySongAction(publicSong, presser(bob), settings({ buttons: 'anyone' }), 'remix').ok).toBe(true);
    expect(maySongAction(publicSong, presser(bob), settings({ buttons: 'owner' }), 'remix')).toMatchObject({ ok: false, reason: expect.stringMatching(/owner/) });
    expect(maySongAction(publicSong, presser(alice), settings({ buttons: 'owner' }), 'remix').ok).toBe(true);
    expect(maySongAction(publicSong, presser(bob), settings({ buttons: 'role', buttonRole: 'r1' }), 'remix').ok).toBe(false);
    expect(maySongAction(publicSong, presser(bob, ['r1']), settings({ buttons: 'role', buttonRole: 'r1' }), 'remix').ok).toBe(true);
  });

  it('always lets people view (full quality, show) a public song', () => {
    expect(maySongAction(publicSong, presser(bob), settings({ buttons: 'owner' }), 'view').ok).toBe(true);
  });

  it('allows public songs in DMs', () => {
    expect(maySongAction(publicSong, presser(bob, [], { guildId: null }), null, 'remix').ok).toBe(true);
  });
});

describe('server rules for new jobs', () => {
  it('checks channels, compose role, max duration and blocked words', () => {
    const rules = settings({ channels: ['c1'], composeRole: 'dj', maxDuration: 60, blockedWords: ['badword'] });
    expect(mayCompose({ channelId: 'c2' }, presser(bob, ['dj']), rules)).toMatchObject({ ok: false, reason: expect.stringMatching(/<#c1>/) });
    expect(mayCompose({ channelId: 'c1' }, presser(bob), rules)).toMatchObject({ ok: false, reason: expect.stringMatching(/role/) });
    expect(mayCompose({ channelId: 'c1' }, presser(bob, [], { isManager: true }), rules).ok).toBe(true);
    expect(mayCompose({ channelId: 'c1', duration: 90 }, presser(bob, ['dj']), rules)).toMatchObject({ ok: false, reason: expect.stringMatching(/60 s/) });
    expect(mayCompose({ channelId: 'c1', tags: 'rock, BadWord' }, presser(bob, ['dj']), rules)).toMatchObject({ ok: false, reason: expect.stringMatching(/blocks/) });
    expect(mayCompose({ channelId: 'c1', duration: 30, tags: 'rock', lyrics: 'badwordless' }, presser(bob, ['dj']), rules).ok).toBe(true);
  });

  it('has no server rules in DMs', () => {
    expect(mayCompose({ channelId: null, duration: 240 }, presser(bob, [], { guildId: null }), null).ok).toBe(true);
  });

  it('matches blocked words as whole words in any script', () => {
    expect(blockedWord('Übel ist übel', ['übel'])).toBe('übel');
    expect(blockedWord('classic', ['ass'])).toBeNull();
    expect(blockedWord('a.b', ['a.b'])).toBe('a.b');
  });

  it('needs Manage Server to change server settings', () => {
    expect(mayManageServer(presser(bob)).ok).toBe(false);
    expect(mayManageServer(presser(bob, [], { isManager: true })).ok).toBe(true);
    expect(mayManageServer(presser(bob, [], { guildId: null, isManager: true })).ok).toBe(false);
  });
});
