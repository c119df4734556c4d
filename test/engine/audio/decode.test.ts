import { resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeLatents, type DecodeGraphs } from '../../../src/engine/audio/decode.js';
import { latentWindowPlan, vocoderWindowPlan } from '../../../src/engine/audio/windows.js';
import { AcejamError } from '../../../src/engine/errors.js';
import { readPack, type Pack } from '../../../src/engine/models/pack.js';
import { createSession, type Session } from '../../../src/engine/runtime/ort.js';

const TINY = resolve(import.meta.dirname, '../../../models/tiny');

/** Deterministic standard normals (mulberry32 + Box–Muller). */
function normals(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return Float32Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

// ------------------------------------------------------------------------------------------------
// Plumbing with mock graphs that are local in time (each output frame depends only on its own input
// frame), so a windowed decode must reproduce the one-call decode exactly. The mocks also fill every
// value a correct plan must discard (the W/4 trimmed latent frames, and the O − C samples at a
// vocoder window's inner edges) with NaN: any leak shows up.
// ------------------------------------------------------------------------------------------------

/** Latent [B, 8, 16, T] whose channel 7, row 15 holds the absolute frame index (so mocks know where they are). */
function markedLatent(batch: number, frames: number): Float32Array {
  const latent = normals(batch * 128 * frames, 11);
  for (let b = 0; b < batch; b++) for (let t = 0; t < frames; t++) latent[(b * 128 + 127) * frames + t] = t;
  return latent;
}

function mockGraphs(totalFrames: number, poison: { latentTrim: number; vocoderEdge: number } | null): DecodeGraphs & { calls: number[] } {
  const calls = [0, 0];
  return {
    calls,
    async dcaeDecoder(latent, batch, t) {
      calls[0]! += 1;
      expect(batch).toBe(1);
      const mel = new Float32Array(2 * 128 * 8 * t);
      const start = latent[127 * t]!; // absolute index of this window's first frame
      for (let ch = 0; ch < 2; ch++) {
        for (let m = 0; m < 128; m++) {
          for (let f = 0; f < 8 * t; f++) {
            const frame = Math.floor(f / 8);
            const value =
              m === 127
                ? 8 * (start + frame) + (f % 8) // the absolute mel frame, for the vocoder mock
                : latent[(((ch * 3 + m) % 7) * 16 + (m % 16)) * t + frame]! + 0.1 * (f % 8) + 10 * ch;
            const inner = poison && ((start > 0 && frame < poison.latentTrim) || (start + t < totalFrames && frame >= t - poison.latentTrim));
            mel[(ch * 128 + m) * 8 * t + f] = inner ? Number.NaN : value;
          }
        }
      }
      return mel;
    },
    async vocoder(mel, rows, f) {
      calls[1]! += 1;
      expect(rows).toBe(2);
      const audio = new Float32Array(rows * 512 * f);
      const first = mel[127 * f]!; // absolute mel frame of this window's start (row 0)
      const atStart = first === 0;
      const atEnd = first + f === 8 * totalFrames;
      for (let r = 0; r < rows; r++) {
        for (let s = 0; s < 512 * f; s++) {
          const frame = Math.floor(s / 512);
          const base = (r * 128) * f;
          // Depends on the frame's mel and the position inside the frame only (windows start on frame boundaries).
          const value = 0.01 * mel[base + (((s % 512) * 7) % 127) * f + frame]! + 1e-4 * (s % 512) + 1e-6 * mel[base + 127 * f + frame]!;
          const inner = poison && ((!atStart && s < poison.vocoderEdge) || (!atEnd && s >= 512 * f - poison.vocoderEdge));
          audio[r * 512 * f + s] = inner ? Number.NaN : value;
        }
      }
      return audio;
    },
  };
}

describe('decodeLatents with local mock graphs (plan plumbing)', () => {
  it('reproduces the one-call decode exactly for many window geometries, batch items and lengths', async () => {
    for (const frames of [1, 5, 13, 24]) {
      const batch = 2;
      const latent = markedLatent(batch, frames);
      const direct = await decodeLatents(latent, batch, frames, mockGraphs(frames, null), { latentWindow: 1024, vocoder: { window: 1 << 16 } });
      expect(direct).toHaveLength(batch);
      for (const [latentWindow, window, overlap, crossfade] of [
        [4, 3, 256, 128],
        [8, 5, 512, 128],
        [12, 16, 1024, 128],
        [4, 2, 0, 0],
      ] as const) {
        const graphs = mockGraphs(frames, { latentTrim: latentWindow / 4, vocoderEdge: overlap - crossfade });
        let progress: [number, number] = [0, 0];
        const out = await decodeLatents(latent, batch, frames, graphs, {
          latentWindow,
          vocoder: { window, overlap, crossfade },
          onProgress: (done, total) => (progress = [done, total]),
        });
        const expectedCalls = [latentWindowPlan(frames, latentWindow).length, vocoderWindowPlan(8 * frames, { window, overlap, crossfade }).length];
        expect(graphs.calls).toEqual(expectedCalls.map((n) => n * batch));
        expect(progress).toEqual([batch * (expectedCalls[0]! + expectedCalls[1]!), batch * (expectedCalls[0]! + expectedCalls[1]!)]);
        for (let b = 0; b < batch; b++) {
          for (let c = 0; c < 2; c++) {
            const got = out[b]![c]!;
            const want = direct[b]![c]!;
            expect(got.length).toBe(4096 * frames);
            let worst = 0;
            for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
            // NaN would make `worst` NaN and fail; the cross-fade a·(1−w) + a·w rounds to within an ulp or two.
            expect(worst).toBeLessThan(1e-6);
          }
        }
      }
      // Channels are routed to the right rows: channel 1's mel carries +10, so its audio is +0.1 higher on average.
      const mean = (x: Float32Array) => x.reduce((a, v) => a + v, 0) / x.length;
      expect(mean(direct[0]![1]!) - mean(direct[0]![0]!)).toBeCloseTo(0.1, 2);
      // Batch items are different latents.
      expect(direct[1]![0]![100]).not.toBe(direct[0]![0]![100]);
    }
  });

  it('cross-fades the C samples before each seam with linear ramps from the outgoing to the incoming window', async () => {
    // Each vocoder call returns a constant: its call index (channel 1: minus it). The output must be k on
    // window k's kept part and k − 1 + i/(C − 1) at position i of the cross-fade before its seam.
    const frames = 6;
    const options = { window: 8, overlap: 1024, crossfade: 128 };
    let call = 0;
    const graphs: DecodeGraphs = {
      dcaeDecoder: async (_lat, b, t) => new Float32Array(b * 2 * 128 * 8 * t),
      vocoder: async (_mel, n, f) => {
        const k = call++;
        return Float32Array.from({ length: n * 512 * f }, (_, i) => (i < 512 * f ? k : -k));
      },
    };
    const [[left, right]] = (await decodeLatents(new Float32Array(128 * frames), 1, frames, graphs, { vocoder: options })) as [[Float32Array, Float32Array]];
    const plan = vocoderWindowPlan(8 * frames, options);
    expect(plan.length).toBe(12); // seams every 2048 samples from 3072 on
    expect(call).toBe(plan.length);
    let worst = 0;
    let faded = 0;
    plan.forEach((w, k) => {
      const next = plan[k + 1];
      for (let s = w.keepStart; s < w.keepEnd; s++) {
        const i = next ? s - (next.keepStart - next.crossfade) : -1;
        if (i >= 0) faded += 1;
        const expected = i >= 0 ? k + i / 127 : k;
        worst = Math.max(worst, Math.abs(left[s]! - expected), Math.abs(right[s]! + expected));
      }
    });
    expect(faded).toBe(11 * 128);
    expect(worst).toBeLessThan(1e-5);
  });

  it('returns empty channels for 0 frames and rejects a latent of the wrong size', async () => {
    const out = await decodeLatents(new Float32Array(0), 1, 0, mockGraphs(0, null));
    expect(out).toEqual([[new Float32Array(0), new Float32Array(0)]]);
    await expect(decodeLatents(new Float32Array(100), 1, 1, mockGraphs(1, null))).rejects.toThrow(/expected 128 = \[1, 8, 16, 1\]/);
    await expect(decodeLatents(new Float32Array(128), 0, 1, mockGraphs(1, null))).rejects.toThrow(AcejamError);
  });

  it('reports graphs that return the wrong amount of data as MODEL_ERROR', async () => {
    const broken: DecodeGraphs = { dcaeDecoder: async () => new Float32Array(5), vocoder: async () => new Float32Array(5) };
    await expect(decodeLatents(new Float32Array(128 * 2), 1, 2, broken)).rejects.toMatchObject({ code: 'MODEL_ERROR' });
  });
});

// ------------------------------------------------------------------------------------------------
// The tiny pack's real graphs.
// ------------------------------------------------------------------------------------------------

interface VocoderSizes {
  stem_kernel_size: number;
  depths: number[];
  kernel_sizes: number[];
  pre_conv_kernel_size: number;
  upsample_rates: number[];
  upsample_kernel_sizes: number[];
  resblock_kernel_sizes: number[];
  resblock_dilation_sizes: number[][];
  post_conv_kernel_size: number;
}

/**
 * How far (in mel frames, one side) a vocoder output sample can depend on its input: the sum of every
 * layer's one-sided reach, converted to frames at that layer's rate. Stem conv and ConvNeXt depthwise
 * convs, pre-conv at frame rate; each transposed conv reaches ceil(k/u) inputs at the rate before it;
 * each level's multi-receptive-field resblocks reach Σ_d (d + 1)(k − 1)/2 for their widest kernel; the
 * post-conv at the sample rate. LayerNorms, GELU, SiLU and tanh are per time step. Nothing is global.
 */
function vocoderReachFrames(v: VocoderSizes): number {
  const half = (k: number) => (k - 1) / 2;
  let reach = half(v.stem_kernel_size) + v.depths.reduce((a, d) => a + d * half(Math.max(...v.kernel_sizes)), 0) + half(v.pre_conv_kernel_size);
  let rate = 1;
  v.upsample_rates.forEach((u, i) => {
    reach += Math.ceil(v.upsample_kernel_sizes[i]! / u) / rate;
    rate *= u;
    const resblock = Math.max(...v.resblock_kernel_sizes.map((k, j) => v.resblock_dilation_sizes[j]!.reduce((a, d) => a + (d + 1) * half(k), 0)));
    reach += resblock / rate;
  });
  return reach + half(v.post_conv_kernel_size) / rate;
}

describe('decodeLatents on the tiny pack', () => {
  let pack: Pack;
  let decoder: Session;
  let vocoder: Session;
  let graphs: DecodeGraphs;
  const frames = 64;
  const samples = 4096 * frames;
  let latent: Float32Array;
  let direct: Float32Array[]; // one dcae_decoder call + one vocoder call on item 0

  beforeAll(async () => {
    pack = await readPack(TINY);
    decoder = await createSession(pack.graphFile('dcae_decoder', 'fp32'), { provider: 'cpu' });
    vocoder = await createSession(pack.graphFile('vocoder', 'fp32'), { provider: 'cpu' });
    graphs = {
      dcaeDecoder: async (lat, b, t) => (await decoder.run({ latents: { dtype: 'float32', dims: [b, 8, 16, t], data: lat } })).mel!.data as Float32Array,
      vocoder: async (mel, n, f) => (await vocoder.run({ mel: { dtype: 'float32', dims: [n, 128, f], data: mel } })).audio!.data as Float32Array,
    };
    latent = normals(2 * 128 * frames, 3);
    const mel = await graphs.dcaeDecoder(latent.subarray(0, 128 * frames), 1, frames);
    const wave = await graphs.vocoder(mel, 2, 8 * frames);
    direct = [wave.slice(0, samples), wave.slice(samples)];
  });
  afterAll(async () => {
    await decoder?.release();
    await vocoder?.release();
  });

  /** Bit-for-bit equal (vitest's toEqual is slow on 262k-element arrays). */
  const identical = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  const rms = (x: Float32Array) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
  const relativeRmsError = (got: Float32Array[], want: Float32Array[]) => {
    let err = 0;
    let ref = 0;
    for (let c = 0; c < 2; c++) for (let i = 0; i < samples; i++) {
      err += (got[c]![i]! - want[c]![i]!) ** 2;
      ref += want[c]![i]! ** 2;
    }
    return Math.sqrt(err / ref);
  };

  it('(a) with windows larger than the input equals one direct call, for every batch item', async () => {
    const out = await decodeLatents(latent, 2, frames, graphs, { latentWindow: 512, vocoder: { window: 4096 } });
    expect(out).toHaveLength(2);
    expect(identical(out[0]![0]!, direct[0]!)).toBe(true);
    expect(identical(out[0]![1]!, direct[1]!)).toBe(true);
    expect(rms(direct[0]!)).toBeGreaterThan(1e-3); // a real signal, not silence
    expect(identical(direct[0]!, direct[1]!)).toBe(false); // the two channels differ
    const mel1 = await graphs.dcaeDecoder(latent.slice(128 * frames), 1, frames);
    const wave1 = await graphs.vocoder(mel1, 2, 8 * frames);
    expect(identical(out[1]![0]!, wave1.subarray(0, samples))).toBe(true);
    expect(identical(out[1]![1]!, wave1.subarray(samples))).toBe(true);
  });

  it('(b) vocoder windows: exact beyond the receptive field of every inner window edge; exact everywhere once the overlap covers it', async () => {
    const reach = Math.ceil(vocoderReachFrames(pack.manifest.modules.vocoder as unknown as VocoderSizes) * 512);
    expect(reach).toBeGreaterThan(8192); // the tiny vocoder: ≈ 25.9 frames ≈ 13,240 samples
    expect(reach).toBeLessThan(16384);

    // Upstream's geometry (O = 1024, C = 128) on 64-frame windows: 9 windows over 512 mel frames.
    const options = { window: 64, overlap: 1024, crossfade: 128 };
    const plan = vocoderWindowPlan(8 * frames, options);
    expect(plan.length).toBe(9);
    const out = (await decodeLatents(latent.subarray(0, 128 * frames), 1, frames, graphs, { latentWindow: 512, vocoder: options }))[0]!;
    const edges = plan.flatMap((w) => [w.start * 512, w.end * 512]).filter((e) => e > 0 && e < samples);
    let farWorst = 0;
    let farCount = 0;
    let nearWorst = 0;
    let outOfRange = 0;
    for (let c = 0; c < 2; c++) {
      expect(out[c]!.length).toBe(samples);
      for (let i = 0; i < samples; i++) {
        const v = out[c]![i]!;
        if (!(Math.abs(v) <= 1)) outOfRange += 1; // tanh output; NaN counts too
        const error = Math.abs(v - direct[c]![i]!);
        if (edges.every((e) => Math.abs(i - e) > reach)) {
          farWorst = Math.max(farWorst, error);
          farCount += 1;
        } else nearWorst = Math.max(nearWorst, error);
      }
    }
    expect(outOfRange).toBe(0);
    expect(farCount).toBeGreaterThan(0.1 * 2 * samples); // the check covers a real share of the output (≈ 12 %)
    expect(farWorst).toBeLessThan(1e-5); // ORT's float32 convolutions, nothing else
    // Near seams the windows' zero-padded edges show (only 2 frames of overlap): this is upstream's
    // design. Measured ≈ 0.15 peak, ≈ 19 % relative RMS on this random tiny model.
    expect(nearWorst).toBeGreaterThan(1e-3);
    const upstreamLike = relativeRmsError(out, direct);
    expect(upstreamLike).toBeLessThan(0.4);

    // With the overlap at least the receptive field, seams are invisible.
    const covered = { window: 64, overlap: Math.ceil(reach / 256) * 256, crossfade: 128 };
    const exact = (await decodeLatents(latent.subarray(0, 128 * frames), 1, frames, graphs, { latentWindow: 512, vocoder: covered }))[0]!;
    expect(vocoderWindowPlan(8 * frames, covered).length).toBeGreaterThan(20);
    for (let c = 0; c < 2; c++) {
      let worst = 0;
      for (let i = 0; i < samples; i++) worst = Math.max(worst, Math.abs(exact[c]![i]! - direct[c]![i]!));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('(b) DCAE windows: small, shrinking differences (the decoder attends across its whole window)', async () => {
    const errors: number[] = [];
    for (const latentWindow of [16, 32]) {
      const out = (await decodeLatents(latent.subarray(0, 128 * frames), 1, frames, graphs, { latentWindow, vocoder: { window: 4096 } }))[0]!;
      for (const channel of out) {
        expect(channel.length).toBe(samples);
        expect(channel.every(Number.isFinite)).toBe(true);
      }
      errors.push(relativeRmsError(out, direct));
    }
    // Measured ≈ 2.6 % (W = 16: 4 windows, 4 frames trimmed) and ≈ 1.1 % (W = 32). The convolutions are
    // exact after the W/4 trim; what remains is the EfficientViT linear attention seeing a window
    // instead of the whole clip. Windows without the trim measured 25 % / 17 %.
    expect(errors[0]).toBeLessThan(0.05);
    expect(errors[1]).toBeLessThan(0.025);
    expect(errors[1]).toBeLessThan(errors[0]!);
    expect(errors[1]).toBeGreaterThan(0); // windowing really happened
  });

  it('(b) both windowed at once: right length, finite, bounded, close to one call', async () => {
    const out = (await decodeLatents(latent.subarray(0, 128 * frames), 1, frames, graphs, {
      latentWindow: 32,
      vocoder: { window: 64, overlap: 13_312 },
    }))[0]!;
    expect(out.map((c) => c.length)).toEqual([samples, samples]);
    for (const channel of out) expect(channel.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)).toBe(true);
    expect(relativeRmsError(out, direct)).toBeLessThan(0.025);
  });
});
