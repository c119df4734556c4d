/** Who an MCP client is: token maps, constant-time lookup, the stdio user, settings from the environment. */
import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load.js';
import { mcpSettings } from '../../src/mcp/commands.js';
import { TokenTable, localIdentity, parseTokenMap } from '../../src/mcp/identity.js';

const A = 'aaaaaaaaaaaaaaaa-token';
const B = 'bbbbbbbbbbbbbbbb+token==';

describe('token maps', () => {
  it('reads user=token pairs (tokens may contain "=") and JSON objects', () => {
    expect(parseTokenMap(`discord:1=${A}, local:bob=${B}\n`)).toEqual({ [A]: 'discord:1', [B]: 'local:bob' });
    expect(parseTokenMap(JSON.stringify({ [A]: 'discord:1' }))).toEqual({ [A]: 'discord:1' });
    expect(parseTokenMap('  ')).toEqual({});
    expect(() => parseTokenMap('just-a-token')).toThrow(/user=token/);
    expect(() => parseTokenMap('{"t": 5}')).toThrow(/user id strings/);
  });

  it('authenticates a bearer header to its user and nothing else', () => {
    const table = new TokenTable({ [A]: 'discord:1', [B]: 'local:bob' });
    expect(table.authenticate(`Bearer ${A}`)).toEqual({ user: 'discord:1', name: 'discord:1' });
    expect(table.authenticate(`bearer ${B}`)?.user).toBe('local:bob');
    for (const bad of [undefined, '', A, `Basic ${A}`, `Bearer ${A}x`, 'Bearer ', `Bearer ${A} extra`]) expect(table.authenticate(bad), String(bad)).toBeNull();
  });

  it('refuses short tokens and empty users', () => {
    expect(() => new TokenTable({ short: 'u' })).toThrow(/at least 16/);
    expect(() => new TokenTable({ [A]: ' ' })).toThrow(/empty user/);
  });
});

describe('the stdio user', () => {
  it('is the configured user, else local:<login>', () => {
    expect(localIdentity('discord:42').user).toBe('discord:42');
    expect(localIdentity(null).user).toMatch(/^local:.+/);
  });
});

describe('mcpSettings', () => {
  it('reads ACEJAM_MCP_* with loopback defaults', () => {
    const config = loadConfig({ env: {} });
    expect(mcpSettings(config, {})).toEqual({ host: '127.0.0.1', port: 8808, tokens: {}, user: null, allowedOrigins: [] });
    const env = { ACEJAM_MCP_HOST: '0.0.0.0', ACEJAM_MCP_PORT: '9000', ACEJAM_MCP_TOKENS: `carol=${A}`, ACEJAM_MCP_USER: 'discord:7', ACEJAM_MCP_ALLOWED_ORIGINS: 'https://a.example, https://b.example' };
    expect(mcpSettings(config, env)).toEqual({ host: '0.0.0.0', port: 9000, tokens: { [A]: 'carol' }, user: 'discord:7', allowedOrigins: ['https://a.example', 'https://b.example'] });
    expect(() => mcpSettings(config, { ACEJAM_MCP_PORT: '70000' })).toThrow(/port number/);
  });
});
