/**
 * The only module that imports onnxruntime-node: sessions, tensors and their metadata cross into the
 * runtime here and nowhere else.
 */
import ort from 'onnxruntime-node';

export type ExecutionProvider = 'cpu' | 'cuda';
export type TensorDtype = 'float32' | 'float16' | 'int64';
export type TensorData = Float32Array | Uint16Array | BigInt64Array;

/** A tensor on the host: typed data plus its dims (row-major). */
export interface HostTensor {
  dtype: TensorDtype;
  dims: readonly number[];
  data: TensorData;
}

/** What a graph file really declares: names, element types and dims (numbers or symbolic names). */
export interface IoMetadata {
  name: string;
  dtype: string;
  dims: readonly (number | string)[];
}

export interface SessionOptions {
  provider: ExecutionProvider;
  deviceId?: number;
  intraOpThreads?: number;
  /**
   * ONNX Runtime's CPU memory arena keeps every block a graph ever used. Off for the windowed decode
   * graphs, whose calls vary in shape: with it on, a 240 s decode peaked at 1.61× a 30 s one, off 1.20×.
   */
  memoryArena?: boolean;
}

export interface Session {
  readonly inputs: readonly IoMetadata[];
  readonly outputs: readonly IoMetadata[];
  run(feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>>;
  release(): Promise<void>;
}

function describe(metadata: readonly ort.InferenceSession.ValueMetadata[]): IoMetadata[] {
  return metadata.map((entry) =>
    entry.isTensor
      ? { name: entry.name, dtype: entry.type, dims: entry.shape.map((d) => (typeof d === 'number' ? d : String(d))) }
      : { name: entry.name, dtype: 'non-tensor', dims: [] },
  );
}

export async function createSession(file: string, options: SessionOptions): Promise<Session> {
  const executionProviders: ort.InferenceSession.ExecutionProviderConfig[] =
    options.provider === 'cuda' ? [{ name: 'cuda', deviceId: options.deviceId ?? 0 }] : ['cpu'];
  const session = await ort.InferenceSession.create(file, {
    executionProviders,
    intraOpNumThreads: options.intraOpThreads ?? 0,
    graphOptimizationLevel: 'all',
    enableCpuMemArena: options.memoryArena ?? true,
  });
  return {
    inputs: describe(session.inputMetadata),
    outputs: describe(session.outputMetadata),
    async run(feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) {
        ortFeeds[name] = new ort.Tensor(tensor.dtype, tensor.data, tensor.dims);
      }
      const results = await session.run(ortFeeds);
      const out: Record<string, HostTensor> = {};
      for (const [name, tensor] of Object.entries(results)) {
        out[name] = { dtype: tensor.type as TensorDtype, dims: tensor.dims, data: tensor.data as TensorData };
      }
      return out;
    },
    release: () => session.release(),
  };
}
