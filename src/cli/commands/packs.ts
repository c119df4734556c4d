/**
 * `acejam packs …`: list the installed packs, verify one end to end, add one from a folder or URL.
 * Results go to stdout; progress and errors to stderr.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import cliProgress from 'cli-progress';

import type { Config } from '../../config/schema.js';
import { AcejamError } from '../../engine/errors.js';
import { readPack, verifyPack } from '../../engine/models/pack.js';
import { addPack, type InstallProgress } from '../../engine/packs/install.js';
import { listPacks, packsDir, type PackSummary } from '../../engine/packs/list.js';

export const PACKS_USAGE = `usage:
  acejam packs list              the bundled and installed packs (* = the one ACEJAM_PACK selects)
  acejam packs verify [PATH]     check a pack's manifest, every file's sha256 and every graph's IO
                                 (PATH: a pack folder or an installed pack's name; default: the configured pack)
  acejam packs add PATH|URL      install a pack from a folder or an http(s) URL of a pack folder
                                 into <dataDir>/packs/<name> (an interrupted download resumes)`;

/** Where the command writes; the process streams unless a test passes its own. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Whether stderr is a terminal (then `add` draws a progress bar there). */
  isTTY: boolean;
}

const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stderr.isTTY),
};

/** Bytes for people: 5.5 MB, 12.6 GB (decimal units, as disk sizes are sold). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function listLine(pack: PackSummary, selected: boolean): string[] {
  const mark = pack.problem ? '!' : selected ? '*' : ' ';
  if (pack.problem) return [`${mark} ${pack.name}  ${pack.dir}`, `    unusable: ${pack.problem}`];
  const shared = pack.sharedBytes > 0 ? ` + ${formatBytes(pack.sharedBytes)} shared with its base` : '';
  const origin = pack.bundled ? ' (bundled)' : '';
  return [
    `${mark} ${pack.name}  ${pack.precisions.join('+')}  ${formatBytes(pack.bytes)}${shared}  ${pack.dir}${origin}`,
    `    ${pack.description}`,
  ];
}

async function list(config: Config, io: CommandIo): Promise<number> {
  for (const pack of await listPacks(config.dataDir)) {
    for (const line of listLine(pack, pack.dir === config.packDir)) io.out(line);
  }
  return 0;
}

/** A folder, or the name of an installed pack. */
async function resolvePackPath(pathOrName: string, config: Config): Promise<string> {
  if ((await stat(pathOrName).catch(() => undefined))?.isDirectory()) return pathOrName;
  const installed = join(packsDir(config.dataDir), pathOrName);
  if (!pathOrName.includes('/') && (await stat(installed).catch(() => undefined))?.isDirectory()) return installed;
  throw new AcejamError('PACK_NOT_FOUND', `${pathOrName} is neither a pack folder nor an installed pack`, {
    hint: 'see `acejam packs list`',
  });
}

async function verify(pathOrName: string, config: Config, io: CommandIo): Promise<number> {
  const pack = await readPack(await resolvePackPath(pathOrName, config));
  const report = await verifyPack(pack, { provider: 'cpu', intraOpThreads: config.threads });
  io.out(`pack ${report.pack}: manifest valid, ${report.files} files match their sha256`);
  for (const graph of report.graphs) {
    io.out(
      `  ${graph.graph} (${graph.precision}): ${graph.inputs} inputs, ${graph.outputs} outputs match the manifest`,
    );
  }
  io.out(pack.manifest.description);
  return 0;
}

/** Progress display: one bar on a terminal, otherwise a line per finished file. */
function progressReporter(io: CommandIo): { update(progress: InstallProgress): void; stop(): void } {
  if (io.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: '{bar} {percentage}% | {done} of {size} | {file}',
        hideCursor: true,
        formatValue: (value, _options, type) =>
          type === 'value' || type === 'total' ? formatBytes(value) : String(value),
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        const payload = { file: p.file, done: formatBytes(p.bytesDone), size: formatBytes(p.bytesTotal) };
        if (!started) {
          bar.start(p.bytesTotal, p.bytesDone, payload);
          started = true;
        } else bar.update(p.bytesDone, payload);
      },
      stop: () => bar.stop(),
    };
  }
  return {
    update(p) {
      if (p.fileBytes === p.fileTotal) {
        const percent = p.bytesTotal > 0 ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100;
        io.err(`${p.file}: ${formatBytes(p.fileTotal)} done (${percent}% of ${formatBytes(p.bytesTotal)})`);
      }
    },
    stop: () => undefined,
  };
}

async function add(source: string, config: Config, io: CommandIo): Promise<number> {
  io.err(`installing ${source} into ${packsDir(config.dataDir)}`);
  const reporter = progressReporter(io);
  let pack: PackSummary;
  try {
    pack = await addPack(source, config.dataDir, { onProgress: (p) => reporter.update(p) });
  } finally {
    reporter.stop();
  }
  io.out(`installed pack ${pack.name} (${pack.precisions.join('+')}, ${formatBytes(pack.bytes)}) at ${pack.dir}`);
  io.out(`use it with ACEJAM_PACK=${pack.dir}; check its graphs with: acejam packs verify ${pack.name}`);
  return 0;
}

/**
 * Runs `acejam packs <list|verify|add> …` (argv without the leading `packs`).
 * @returns the exit code: 0, 1 on an AcejamError (printed with its hint), 64 on a usage error.
 */
export async function runPacksCommand(argv: string[], config: Config, io: CommandIo = processIo): Promise<number> {
  const [action, arg, ...rest] = argv;
  try {
    if (action === 'list' && arg === undefined) return await list(config, io);
    if (action === 'verify' && rest.length === 0) return await verify(arg ?? config.packDir, config, io);
    if (action === 'add' && arg !== undefined && rest.length === 0) return await add(arg, config, io);
  } catch (error) {
    if (!(error instanceof AcejamError)) throw error;
    io.err(`error (${error.code}): ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
    return 1;
  }
  io.err(PACKS_USAGE);
  return 64;
}
