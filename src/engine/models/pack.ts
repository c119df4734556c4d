/**
 * Opening a model pack: the manifest is validated with zod, every listed file is checked against its
 * size (and, on `verify`, its sha256), and each graph's declared inputs and outputs are compared with
 * what the ONNX file really has, so a wrong or stale pack fails at load with the graph and the field.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { PackError } from '../errors.js';
import { createSession, type IoMetadata, type SessionOptions } from '../runtime/ort.js';
import { GRAPH_NAMES, manifestSchema, type GraphName, type PackManifest, type TensorSpec } from './manifest.js';

export type Precision = 'fp32' | 'fp16';

export interface Pack {
  dir: string;
  manifest: PackManifest;
  /** Absolute path of a graph's .onnx file at a precision. */
  graphFile(graph: GraphName, precision: Precision): string;
}

export async function readPack(dir: string): Promise<Pack> {
  const packDir = resolve(dir);
  const manifestPath = join(packDir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (error) {
    throw new PackError(`${manifestPath}: cannot read the manifest (${(error as Error).message})`, { cause: error });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new PackError(`${manifestPath} is not a valid acejam-pack/1 manifest: ${issues.join('; ')}`);
  }
  const manifest = parsed.data;
  for (const entry of manifest.files) {
    const path = resolve(packDir, entry.path);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new PackError(`pack ${manifest.name}: file ${entry.path} is missing`);
    if (info.size !== entry.bytes) {
      throw new PackError(`pack ${manifest.name}: ${entry.path} has ${info.size} bytes, the manifest says ${entry.bytes} (incomplete copy?)`);
    }
  }
  return {
    dir: packDir,
    manifest,
    graphFile(graph, precision) {
      const files = manifest.graphs[graph].precisions[precision];
      if (!files) throw new PackError(`pack ${manifest.name}: graph ${graph} has no ${precision} variant`);
      return resolve(packDir, files.file);
    },
  };
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Compares a graph's declared IO with the session's; returns one message per mismatch. */
export function compareIo(graph: string, kind: 'input' | 'output', declared: readonly TensorSpec[], actual: readonly IoMetadata[]): string[] {
  const problems: string[] = [];
  const byName = new Map(actual.map((entry) => [entry.name, entry]));
  for (const spec of declared) {
    const real = byName.get(spec.name);
    if (!real) {
      problems.push(`${graph}: ${kind} ${spec.name} is declared but the graph has ${[...byName.keys()].join(', ')}`);
      continue;
    }
    if (real.dtype !== spec.dtype) problems.push(`${graph}: ${kind} ${spec.name} is ${real.dtype}, manifest says ${spec.dtype}`);
    if (real.dims.length !== spec.dims.length) {
      problems.push(`${graph}: ${kind} ${spec.name} has rank ${real.dims.length}, manifest says ${spec.dims.length}`);
      continue;
    }
    spec.dims.forEach((dim, axis) => {
      const realDim = real.dims[axis];
      // Fixed dims must agree exactly; symbolic ones must be symbolic in the graph too.
      if (typeof dim === 'number' ? realDim !== dim : typeof realDim === 'number') {
        problems.push(`${graph}: ${kind} ${spec.name} axis ${axis} is ${String(realDim)}, manifest says ${String(dim)}`);
      }
    });
  }
  const declaredNames = new Set(declared.map((spec) => spec.name));
  for (const name of byName.keys()) {
    if (!declaredNames.has(name)) problems.push(`${graph}: ${kind} ${name} exists in the graph but not in the manifest`);
  }
  return problems;
}

export interface VerifyReport {
  pack: string;
  files: number;
  graphs: { graph: GraphName; precision: Precision; inputs: number; outputs: number }[];
}

/** Full check: every file's sha256, and every graph variant opened and its IO compared. */
export async function verifyPack(pack: Pack, options: SessionOptions = { provider: 'cpu' }): Promise<VerifyReport> {
  const { manifest } = pack;
  for (const entry of manifest.files) {
    if ((await sha256(resolve(pack.dir, entry.path))) !== entry.sha256) {
      throw new PackError(`pack ${manifest.name}: ${entry.path} does not match its sha256 (corrupted or modified)`);
    }
  }
  const graphs: VerifyReport['graphs'] = [];
  for (const graph of GRAPH_NAMES) {
    const entry = manifest.graphs[graph];
    for (const precision of ['fp32', 'fp16'] as const) {
      if (!entry.precisions[precision]) continue;
      const session = await createSession(pack.graphFile(graph, precision), options);
      try {
        const problems = [
          ...compareIo(graph, 'input', entry.inputs, session.inputs),
          ...compareIo(graph, 'output', entry.outputs, session.outputs),
        ];
        if (problems.length > 0) throw new PackError(`pack ${manifest.name} (${precision}): ${problems.join('; ')}`);
        graphs.push({ graph, precision, inputs: session.inputs.length, outputs: session.outputs.length });
      } finally {
        await session.release();
      }
    }
  }
  return { pack: manifest.name, files: manifest.files.length, graphs };
}
