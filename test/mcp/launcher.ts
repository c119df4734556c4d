/**
 * Runs `acejam mcp …` the way bin/acejam.js will once the CLI wires the command in: loads the config
 * from the environment and calls runMcpCommand. ACEJAM_MCP_FAKE_STUDIO=1 swaps in the fake Studio
 * (transport tests that do not need the engine); ACEJAM_MCP_TEST_NOISE=1 prints to stdout after start-up.
 */
import { loadConfig } from '../../src/config/load.js';
import { runMcpCommand } from '../../src/mcp/commands.js';

const [command, ...rest] = process.argv.slice(2);
if (command !== 'mcp') {
  process.stderr.write('usage: launcher.ts mcp [--http] [--port N] [--host H]\n');
  process.exit(64);
}
const config = loadConfig();
// Something in the process printing to stdout after start-up must not corrupt the protocol stream.
if (process.env.ACEJAM_MCP_TEST_NOISE === '1') setTimeout(() => console.log('noise on stdout'), 300).unref();
if (process.env.ACEJAM_MCP_FAKE_STUDIO === '1') {
  const { FakeStudio } = await import('./fake-studio.js');
  process.exitCode = await runMcpCommand(rest, config, async () => Object.assign(new FakeStudio(), { close: async () => undefined }));
} else {
  process.exitCode = await runMcpCommand(rest, config);
}
