/**
 * The ONNX Runtime sessions of one pack: which provider and precision run, each graph's session opened
 * on its first run (a real pack's DiT takes seconds and gigabytes to load), its real IO compared with
 * the manifest on open, and every run's feeds checked against the manifest by name, dtype and rank.
 *
 * Provider choice: cuda when asked for; when CUDA cannot start (no GPU, or onnxruntime-node installed
 * without its CUDA libraries) that is a `PROVIDER_UNAVAILABLE` error, or, with `allowCpuFallback`, a
 * warning and cpu. Precision: fp16 on cuda when every graph has an fp16 variant, else fp32 (fp16 only on
 * a pack that has no fp32). `onnxruntime-node`'s run blocks the event loop; a worker handles that later.
 */
import type { Config } from '../../config/schema.js';
import { AcejamError, PackError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  createSession,
  type ExecutionProvider,
  type HostTensor,
  type Session,
  type SessionOptions,
} from '../runtime/ort.js';
import { GRAPH_NAMES, type GraphName } from './manifest.js';
import { compareIo, type Pack, type Precision } from './pack.js';

const PRECISION_PREFERENCE: Record<ExecutionProvider, readonly Precision[]> = {
  cuda: ['fp16', 'fp32'],
  cpu: ['fp32', 'fp16'],
};

/** The precision every graph of the pack has, in the provider's order of preference. */
export function choosePrecision(pack: Pack, provider: ExecutionProvider): Precision {
  const { graphs, name } = pack.manifest;
  const precision = PRECISION_PREFERENCE[provider].find((p) =>
    GRAPH_NAMES.every((graph) => graphs[graph].precisions[p]),
  );
  if (!precision) throw new PackError(`pack ${name}: no precision (fp32 or fp16) is present for every graph`);
  return precision;
}

/** The graph with the smallest file, used to probe whether a provider can start at all. */
function smallestGraph(pack: Pack, precision: Precision): GraphName {
  const bytes = new Map(pack.manifest.files.map((entry) => [entry.path, entry.bytes]));
  const size = (graph: GraphName) =>
    (pack.manifest.graphs[graph].precisions[precision]?.files ?? []).reduce(
      (sum, file) => sum + (bytes.get(file) ?? 0),
      0,
    );
  return [...GRAPH_NAMES].sort((a, b) => size(a) - size(b))[0]!;
}

/** Compares a session's real IO with the manifest; releases it and throws PackError naming the graph on a mismatch. */
async function checkedIo(pack: Pack, precision: Precision, graph: GraphName, session: Session): Promise<Session> {
  const entry = pack.manifest.graphs[graph];
  const problems = [
    ...compareIo(graph, 'input', entry.inputs, session.inputs),
    ...compareIo(graph, 'output', entry.outputs, session.outputs),
  ];
  if (problems.length > 0) {
    await session.release();
    throw new PackError(
      `pack ${pack.manifest.name}: graph ${graph} (${precision}) does not match the manifest: ${problems.join('; ')}`,
      {
        hint: 'the manifest and the .onnx files come from different exports; re-export or re-install the pack',
      },
    );
  }
  return session;
}

/** The typed sessions of a pack's six graphs. Create with {@link GraphSessions.open}. */
export class GraphSessions {
  /** The provider that actually runs (cpu after a fallback). */
  readonly provider: ExecutionProvider;
  readonly precision: Precision;
  readonly #pack: Pack;
  readonly #options: SessionOptions;
  readonly #logger: Logger;
  readonly #sessions = new Map<GraphName, Promise<Session>>();
  #closed = false;

  private constructor(
    pack: Pack,
    options: SessionOptions,
    precision: Precision,
    logger: Logger,
    probe?: [GraphName, Session],
  ) {
    this.#pack = pack;
    this.#options = options;
    this.provider = options.provider;
    this.precision = precision;
    this.#logger = logger;
    if (probe) this.#sessions.set(probe[0], Promise.resolve(probe[1]));
  }

  /**
   * Chooses provider and precision for the pack. On cpu no session opens yet; on cuda the smallest graph
   * is opened as a probe (and kept), since only a real session shows whether CUDA can start.
   * @throws AcejamError `PROVIDER_UNAVAILABLE` when cuda cannot start and `allowCpuFallback` is off.
   */
  static async open(pack: Pack, config: Config, logger: Logger): Promise<GraphSessions> {
    const log = logger.child({ pack: pack.manifest.name });
    const base = { deviceId: config.deviceId, intraOpThreads: config.threads };
    let probe: [GraphName, Session] | undefined;
    let provider: ExecutionProvider = config.provider;
    if (provider === 'cuda') {
      const precision = choosePrecision(pack, 'cuda');
      const graph = smallestGraph(pack, precision);
      try {
        probe = [graph, await createSession(pack.graphFile(graph, precision), { ...base, provider: 'cuda' })];
      } catch (error) {
        const reason = (error as Error).message.split('\n')[0] ?? String(error);
        // A graph that fails on cpu too is broken, whatever the provider: report that, not CUDA.
        const onCpu = await createSession(pack.graphFile(graph, choosePrecision(pack, 'cpu')), {
          ...base,
          provider: 'cpu',
        }).catch((cpuError: unknown) => {
          throw new AcejamError(
            'MODEL_ERROR',
            `pack ${pack.manifest.name}: graph ${graph} cannot be opened: ${(cpuError as Error).message}`,
            {
              cause: cpuError,
            },
          );
        });
        if (!config.allowCpuFallback) {
          await onCpu.release();
          throw new AcejamError(
            'PROVIDER_UNAVAILABLE',
            `the cuda execution provider is unavailable (device ${config.deviceId}): ${reason}`,
            {
              hint:
                'onnxruntime-node needs its CUDA provider libraries (installed from NuGet at npm install time) and a CUDA 12 GPU; ' +
                'set ACEJAM_PROVIDER=cpu, or ACEJAM_ALLOW_CPU_FALLBACK=1 to run on cpu when CUDA cannot start',
              cause: error,
            },
          );
        }
        log.warn(
          { requested: 'cuda', provider: 'cpu', reason },
          'cuda is unavailable; falling back to cpu (allowCpuFallback)',
        );
        provider = 'cpu';
        if (choosePrecision(pack, 'cpu') === choosePrecision(pack, 'cuda')) probe = [graph, onCpu];
        else await onCpu.release();
      }
    }
    const precision = choosePrecision(pack, provider);
    if (probe) probe = [probe[0], await checkedIo(pack, precision, probe[0], probe[1])];
    log.info(
      { requested: config.provider, provider, precision, threads: config.threads },
      `graphs run on ${provider} (${precision})`,
    );
    return new GraphSessions(pack, { ...base, provider }, precision, log, probe);
  }

  /** The graphs whose sessions are open (or opening). */
  get openGraphs(): GraphName[] {
    return GRAPH_NAMES.filter((graph) => this.#sessions.has(graph));
  }

  /**
   * Runs a graph, opening its session first if needed. `feeds` must name exactly the manifest's inputs
   * with their dtypes and ranks (see docs/pack-format.md, Graph IO).
   * @throws AcejamError `MODEL_ERROR` naming a missing, extra or mistyped input, or a failed run;
   *   PackError when the graph's file disagrees with the manifest.
   */
  async run(graph: GraphName, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
    if (this.#closed) throw new AcejamError('MODEL_ERROR', `graph ${graph}: the sessions are closed`);
    this.#checkFeeds(graph, feeds);
    const session = await this.#session(graph);
    try {
      return await session.run(feeds);
    } catch (error) {
      const shapes = Object.entries(feeds).map(([name, tensor]) => `${name} ${tensor.dtype}[${tensor.dims.join(',')}]`);
      throw new AcejamError(
        'MODEL_ERROR',
        `graph ${graph} failed on ${this.provider}: ${(error as Error).message} (feeds: ${shapes.join(', ')})`,
        {
          cause: error,
        },
      );
    }
  }

  /** Releases every open session; further runs fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const pending = [...this.#sessions.values()];
    this.#sessions.clear();
    const settled = await Promise.allSettled(pending);
    for (const result of settled) if (result.status === 'fulfilled') await result.value.release();
  }

  #checkFeeds(graph: GraphName, feeds: Record<string, HostTensor>): void {
    const declared = this.#pack.manifest.graphs[graph].inputs;
    const expected = declared.map((spec) => spec.name).join(', ');
    for (const spec of declared) {
      const tensor = feeds[spec.name];
      if (!tensor)
        throw new AcejamError('MODEL_ERROR', `graph ${graph}: input ${spec.name} is missing (expects ${expected})`);
      if (tensor.dtype !== spec.dtype) {
        throw new AcejamError(
          'MODEL_ERROR',
          `graph ${graph}: input ${spec.name} is ${tensor.dtype}, expects ${spec.dtype}`,
        );
      }
      const fixedMismatch = spec.dims.some((dim, axis) => typeof dim === 'number' && tensor.dims[axis] !== dim);
      if (tensor.dims.length !== spec.dims.length || fixedMismatch) {
        throw new AcejamError(
          'MODEL_ERROR',
          `graph ${graph}: input ${spec.name} has dims [${tensor.dims.join(',')}], expects [${spec.dims.join(',')}]`,
        );
      }
    }
    const names = new Set(declared.map((spec) => spec.name));
    for (const name of Object.keys(feeds)) {
      if (!names.has(name))
        throw new AcejamError('MODEL_ERROR', `graph ${graph}: unexpected input ${name} (expects ${expected})`);
    }
  }

  #session(graph: GraphName): Promise<Session> {
    let session = this.#sessions.get(graph);
    if (!session) {
      session = this.#openGraph(graph);
      this.#sessions.set(graph, session);
      // A failed open is not cached: the next run tries again (and fails with the same message if nothing changed).
      const opening = session;
      opening.catch(() => {
        if (this.#sessions.get(graph) === opening) this.#sessions.delete(graph);
      });
    }
    return session;
  }

  async #openGraph(graph: GraphName): Promise<Session> {
    const file = this.#pack.graphFile(graph, this.precision);
    const started = performance.now();
    let session: Session;
    try {
      // Windowed decode/encode graphs run at many shapes: no arena, so memory does not grow with duration.
      const windowed = graph === 'dcae_decoder' || graph === 'dcae_encoder' || graph === 'vocoder';
      session = await createSession(file, { ...this.#options, memoryArena: !windowed });
    } catch (error) {
      throw new AcejamError(
        'MODEL_ERROR',
        `graph ${graph}: cannot open ${file} on ${this.provider}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    this.#logger.debug(
      { graph, file, provider: this.provider, ms: Math.round(performance.now() - started) },
      'session opened',
    );
    return checkedIo(this.#pack, this.precision, graph, session);
  }
}
