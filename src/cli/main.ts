/**
 * The `acejam` command line: one module a command under src/cli/commands, all over the one engine API.
 */
import { loadConfig } from '../config/load.js';
import { AcejamError } from '../engine/errors.js';
import { GENERATE_COMMANDS, GENERATE_USAGE, runGenerateCommand } from './commands/generate.js';
import { runInfoCommand } from './commands/info.js';
import { PACKS_USAGE, runPacksCommand } from './commands/packs.js';
import { runTokenizeCommand } from './commands/tokenize.js';
import { runSongsCommand, SONGS_USAGE } from './commands/songs.js';
import { MCP_USAGE, runMcpCommand } from '../mcp/commands.js';
import { BOT_USAGE, runBotCommand, runDeployCommand } from '../bot/commands.js';
import { runServeCommand, SERVE_USAGE } from './commands/serve.js';

const USAGE = `acejam: music generation with ACE-Step v1 on ONNX Runtime

${GENERATE_USAGE}

  acejam info [--pack DIR] [--json]
  acejam tokenize [--pack DIR] --lyrics FILE|- [--prompt TEXT] [--mode faithful|fixed] [--json]
${SONGS_USAGE}
${PACKS_USAGE.replace(/^usage:\n/, '')}
${MCP_USAGE.replace(/^usage:\n/, '')}
${BOT_USAGE.replace(/^usage:\n/, '')}
${SERVE_USAGE}

Configuration: config/default.json, overridden by ACEJAM_* environment variables (config/README.md).`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 64 : 0;
    }
    const loaded = loadConfig();
    // Commands print their own results; engine logs stay quiet unless ACEJAM_LOG_LEVEL asks for them.
    const config = process.env.ACEJAM_LOG_LEVEL ? loaded : { ...loaded, logLevel: 'warn' as const };
    if (command in GENERATE_COMMANDS) return await runGenerateCommand(command, rest, config);
    if (command === 'info') return await runInfoCommand(rest, config);
    if (command === 'tokenize') return await runTokenizeCommand(rest, config);
    if (command === 'packs') return await runPacksCommand(rest, config);
    if (command === 'songs') return await runSongsCommand(rest, config);
    if (command === 'mcp') return await runMcpCommand(rest, loaded);
    if (command === 'bot') return await runBotCommand(rest, loaded);
    if (command === 'serve') return await runServeCommand(rest, loaded);
    if (command === 'deploy-commands') return await runDeployCommand(rest, config);
    process.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${USAGE}\n`);
    return 64;
  } catch (error) {
    if (error instanceof AcejamError) {
      process.stderr.write(`error (${error.code}): ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}\n`);
      return 1;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${error.message}\n`);
      return 64;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
