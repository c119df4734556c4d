// Runs one ONNX graph with onnxruntime-node on inputs written by tools/export/ort.py and writes
// its outputs back, so the exporter's Python tests compare torch against the same runtime the
// engine uses. Protocol: DIR/request.json = {model, inputs: [{name, dtype, dims, file}]};
// replies DIR/response.json = {outputs: [{name, dtype, dims, file}]} with raw little-endian files.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

const ARRAYS = { float32: Float32Array, float16: Uint16Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array, bool: Uint8Array };

const dir = process.argv[2];
const request = JSON.parse(await readFile(join(dir, 'request.json'), 'utf8'));
const session = await ort.InferenceSession.create(request.model, { intraOpNumThreads: 2, graphOptimizationLevel: request.optimization ?? 'all' });
const feeds = {};
for (const input of request.inputs) {
  const bytes = await readFile(join(dir, input.file));
  const Array_ = ARRAYS[input.dtype];
  const data = new Array_(bytes.buffer, bytes.byteOffset, bytes.byteLength / Array_.BYTES_PER_ELEMENT);
  feeds[input.name] = new ort.Tensor(input.dtype, data, input.dims);
}
const results = await session.run(feeds);
const outputs = [];
for (const [name, tensor] of Object.entries(results)) {
  const file = `out_${outputs.length}.bin`;
  const data = tensor.data;
  await writeFile(join(dir, file), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  outputs.push({ name, dtype: tensor.type, dims: tensor.dims, file });
}
await writeFile(join(dir, 'response.json'), JSON.stringify({ outputs, inputNames: session.inputNames, outputNames: session.outputNames }));
