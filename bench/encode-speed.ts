/**
 * Encoding speed of the delivery formats against the ≥ 100× real-time target (issue 3/5 "Tests and
 * benchmarks": 240 s of stereo to MP3 and to Opus on one core).
 *
 * The signal is 240 s of 48 kHz stereo (what the engine renders): a chord with a slow tremolo plus a
 * little noise, so the encoders work as on music rather than on silence. Each format is encoded
 * `iterations` times after one warm-up (which loads the wasm modules). JavaScript and every encoder run
 * on this one thread (libopus through @evan/opus's native addon, or its wasm build with
 * OPUS_FORCE_WASM=1; LAME and libFLAC as wasm), so this is one core. Two figures per format, medians:
 * wall-clock time, and the process's CPU time (user + system), which is the one-core cost even when
 * other work on the machine competes for the cores. × real time = 240 s / time; the target is judged
 * on CPU time. The load average is printed with them.
 *
 * Run: npx tsx bench/encode-speed.ts [iterations]
 */
import { cpus, loadavg } from 'node:os';

import { encodeAudioFile } from '../src/engine/audio/out/encode.js';
import type { OutputFormat } from '../src/engine/audio/out/formats.js';
import { recipeTags } from '../src/engine/audio/out/tags.js';

const SECONDS = 240;
const RATE = 48000;
const TARGET = 100;
const iterations = Number(process.argv[2] ?? 3);

const length = SECONDS * RATE;
const left = new Float32Array(length);
const right = new Float32Array(length);
let seed = 1;
for (let i = 0; i < length; i++) {
  const t = i / RATE;
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  const noise = (seed / 2 ** 32 - 0.5) * 0.02;
  const tremolo = 0.75 + 0.25 * Math.sin(2 * Math.PI * 0.5 * t);
  const chord = Math.sin(2 * Math.PI * 220 * t) + 0.6 * Math.sin(2 * Math.PI * 277.18 * t) + 0.5 * Math.sin(2 * Math.PI * 329.63 * t);
  left[i] = 0.25 * tremolo * chord + noise;
  right[i] = 0.25 * tremolo * (chord + 0.3 * Math.sin(2 * Math.PI * 440 * t)) - noise;
}
const tags = recipeTags({ songId: 'bench00001', seeds: [42], tags: 'bench, chord', pack: 'bench' });

const cases: { format: OutputFormat; bitrateKbps?: number; gated: boolean }[] = [
  { format: 'mp3', bitrateKbps: 320, gated: true },
  { format: 'mp3', bitrateKbps: 192, gated: true },
  { format: 'mp3', bitrateKbps: 128, gated: true },
  { format: 'opus', bitrateKbps: 160, gated: true },
  { format: 'opus', bitrateKbps: 96, gated: true },
  { format: 'flac', gated: false },
  { format: 'wav16', gated: false },
];

console.log(`encode-speed: ${SECONDS} s of ${RATE} Hz stereo, median of ${iterations}, one thread, target ≥ ${TARGET}× real time in CPU time`);
console.log(`cpu: ${cpus()[0]?.model ?? 'unknown'} · load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log(`opus backend: ${process.env.OPUS_FORCE_WASM ? 'wasm (OPUS_FORCE_WASM)' : 'native addon (wasm fallback)'}`);
let failed = false;
for (const c of cases) {
  const options = { tags, ...(c.bitrateKbps ? { bitrateKbps: c.bitrateKbps } : {}) };
  await encodeAudioFile(c.format, [left, right], RATE, options); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    bytes = (await encodeAudioFile(c.format, [left, right], RATE, options)).length;
    const used = process.cpuUsage(startCpu);
    wall.push((performance.now() - start) / 1000);
    cpu.push((used.user + used.system) / 1e6);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const wallS = median(wall);
  const cpuS = median(cpu);
  const speed = SECONDS / cpuS;
  const verdict = c.gated ? (speed >= TARGET ? 'ok' : 'BELOW TARGET') : 'info';
  if (c.gated && speed < TARGET) failed = true;
  const name = `${c.format}${c.bitrateKbps ? ` ${c.bitrateKbps}k` : ''}`.padEnd(10);
  console.log(
    `${name} wall ${wallS.toFixed(2).padStart(5)} s (${(SECONDS / wallS).toFixed(0).padStart(4)}×)  cpu ${cpuS.toFixed(2).padStart(5)} s (${speed.toFixed(0).padStart(4)}× real time)  ${(bytes / 2 ** 20).toFixed(2).padStart(6)} MiB  ${verdict}`,
  );
}
console.log(failed ? `some gated formats are below ${TARGET}× real time` : `all gated formats ≥ ${TARGET}× real time`);
