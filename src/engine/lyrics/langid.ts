/**
 * py3langid 0.3.0's naive-Bayes language identifier, over the pack's `langid.safetensors`
 * (docs/pack-format.md, format `py3langid-nb/1`; spec ../shared/spec/acestep-v1.md §1.3, §13).
 *
 * The maths, as py3langid does it:
 * 1. encode the text as UTF-8 (Python's `errors='surrogatepass'`: a lone surrogate becomes its own
 *    three-byte sequence);
 * 2. run the byte-level state machine: `state = tk_nextmove[state·256 + byte]`, from state 0;
 * 3. every visited state emits its features (the CSR table `tk_output_*`), once per visit: the feature
 *    counts;
 * 4. `scores = counts · nb_ptc + nb_pc` (float64 accumulation);
 * 5. py3langid with `norm_probs=True` (how LangSegment builds it) turns the scores into
 *    `p_i = 1 / Σ_j exp(s_j − s_i)` and returns the first argmax of `p` with its probability.
 *
 * The pack stores the model's float64 numbers as float32 (the exporter's choice); the sums here run in
 * float64 over those values, like `tools/export/langid.py::classify`, the reference this port is
 * tested against. LangSegment never calls `set_languages`, so all 97 classes compete.
 */
import { PackError } from '../errors.js';
import { readSafetensors, type SafeTensor, type SafetensorsFile } from '../safetensors.js';

/** The format tag the exporter writes into the file's metadata. */
export const LANGID_FORMAT = 'py3langid-nb/1';

/** One classification: the winning class and its normalised probability (py3langid's `classify`). */
export interface LangidResult {
  language: string;
  /** `p` of the winning class, in (0, 1]; LangSegment rounds it to 3 decimals before using it. */
  score: number;
}

/** The classifier LangSegment needs: py3langid's `classify(text) -> (language, probability)`. */
export interface LanguageClassifier {
  classify(text: string): LangidResult;
}

/**
 * UTF-8 bytes of a JS string with Python's `surrogatepass`: well-formed pairs become four bytes, a lone
 * surrogate is encoded like any other BMP code point (three bytes) instead of U+FFFD.
 */
export function utf8SurrogatePass(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** py3langid's model in memory: the naive-Bayes tables and the feature-finding state machine. */
export class LangidModel implements LanguageClassifier {
  /** Class codes in score order (`nb_pc` order), e.g. `af`, `am`, …, `zu`. */
  readonly classes: readonly string[];
  readonly featureCount: number;
  private readonly nbPtc: Float32Array;
  private readonly nbPc: Float32Array;
  private readonly nextMove: Uint16Array;
  /** state → row of the CSR table, −1 for states that emit nothing. */
  private readonly stateRow: Int32Array;
  private readonly offsets: Uint32Array;
  private readonly features: Uint32Array;

  constructor(tables: {
    classes: readonly string[];
    nbPtc: Float32Array;
    nbPc: Float32Array;
    nextMove: Uint16Array;
    outputStates: Uint32Array;
    outputOffsets: Uint32Array;
    outputFeatures: Uint32Array;
  }, source = 'langid model') {
    const classCount = tables.classes.length;
    if (classCount === 0 || tables.nbPc.length !== classCount) {
      throw new PackError(`${source}: nb_pc has ${tables.nbPc.length} classes but the metadata lists ${classCount}`);
    }
    if (tables.nbPtc.length % classCount !== 0 || tables.nbPtc.length === 0) {
      throw new PackError(`${source}: nb_ptc has ${tables.nbPtc.length} values, not a multiple of ${classCount} classes`);
    }
    if (tables.nextMove.length === 0 || tables.nextMove.length % 256 !== 0) {
      throw new PackError(`${source}: tk_nextmove has ${tables.nextMove.length} entries, not states × 256`);
    }
    if (tables.outputOffsets.length !== tables.outputStates.length + 1) {
      throw new PackError(`${source}: tk_output_offsets needs ${tables.outputStates.length + 1} entries, has ${tables.outputOffsets.length}`);
    }
    this.classes = [...tables.classes];
    this.featureCount = tables.nbPtc.length / classCount;
    this.nbPtc = tables.nbPtc;
    this.nbPc = tables.nbPc;
    this.nextMove = tables.nextMove;
    this.offsets = tables.outputOffsets;
    this.features = tables.outputFeatures;
    const stateCount = tables.nextMove.length / 256;
    for (const next of tables.nextMove) {
      if (next >= stateCount) throw new PackError(`${source}: tk_nextmove points at state ${next} of ${stateCount}`);
    }
    this.stateRow = new Int32Array(stateCount).fill(-1);
    tables.outputStates.forEach((state, row) => {
      if (state >= stateCount) throw new PackError(`${source}: tk_output_states names state ${state} of ${stateCount}`);
      this.stateRow[state] = row;
    });
    const last = tables.outputOffsets[tables.outputOffsets.length - 1] ?? 0;
    if (last !== tables.outputFeatures.length) {
      throw new PackError(`${source}: tk_output_offsets ends at ${last} but tk_output_features has ${tables.outputFeatures.length}`);
    }
    for (const feature of tables.outputFeatures) {
      if (feature >= this.featureCount) throw new PackError(`${source}: feature ${feature} is outside nb_ptc's ${this.featureCount} rows`);
    }
  }

  /** Feature index → count, for the text's UTF-8 bytes (py3langid's `instance2fv`, sparse). */
  featureCounts(text: string): Map<number, number> {
    const visits = new Map<number, number>();
    let state = 0;
    for (const byte of utf8SurrogatePass(text)) {
      state = this.nextMove[(state << 8) + byte] ?? 0;
      visits.set(state, (visits.get(state) ?? 0) + 1);
    }
    const counts = new Map<number, number>();
    for (const [state, times] of visits) {
      const row = this.stateRow[state] ?? -1;
      if (row < 0) continue;
      const end = this.offsets[row + 1] ?? 0;
      for (let k = this.offsets[row] ?? 0; k < end; k++) {
        const feature = this.features[k] ?? 0;
        counts.set(feature, (counts.get(feature) ?? 0) + times);
      }
    }
    return counts;
  }

  /** Unnormalised log-scores per class: `counts · nb_ptc + nb_pc` in float64. */
  scores(text: string): Float64Array {
    const classCount = this.classes.length;
    const sums = new Float64Array(classCount);
    for (const [feature, count] of this.featureCounts(text)) {
      const base = feature * classCount;
      for (let c = 0; c < classCount; c++) sums[c] = (sums[c] ?? 0) + count * (this.nbPtc[base + c] ?? 0);
    }
    for (let c = 0; c < classCount; c++) sums[c] = (sums[c] ?? 0) + (this.nbPc[c] ?? 0);
    return sums;
  }

  /** py3langid's normalised probabilities `1 / Σ_j exp(s_j − s_i)` (an overflow gives 0, as numpy does). */
  probabilities(text: string): Float64Array {
    const s = this.scores(text);
    const p = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) {
      let total = 0;
      const si = s[i] ?? 0;
      for (let j = 0; j < s.length; j++) total += Math.exp((s[j] ?? 0) - si);
      p[i] = 1 / total;
    }
    return p;
  }

  /** py3langid's `classify` with `norm_probs=True`: the first class of highest probability. */
  classify(text: string): LangidResult {
    const p = this.probabilities(text);
    let best = 0;
    for (let i = 1; i < p.length; i++) if ((p[i] ?? 0) > (p[best] ?? 0)) best = i;
    return { language: this.classes[best] ?? '', score: p[best] ?? 0 };
  }

  /** All classes by probability, highest first (py3langid's `rank`; ties keep class order). */
  rank(text: string): { language: string; score: number }[] {
    const p = this.probabilities(text);
    return this.classes
      .map((language, i) => ({ language, score: p[i] ?? 0 }))
      .sort((a, b) => b.score - a.score);
  }
}

function tensorOf<T extends SafeTensor['data']>(
  file: SafetensorsFile,
  name: string,
  dtype: SafeTensor['dtype'],
  is: (data: SafeTensor['data']) => data is T,
  source: string,
): T {
  const tensor = file.require(name, source);
  if (tensor.dtype !== dtype || !is(tensor.data)) {
    throw new PackError(`${source}: tensor ${name} is ${tensor.dtype}, expected ${dtype} (docs/pack-format.md, ${LANGID_FORMAT})`);
  }
  return tensor.data;
}

const isF32 = (d: SafeTensor['data']): d is Float32Array => d instanceof Float32Array;
const isU16 = (d: SafeTensor['data']): d is Uint16Array => d instanceof Uint16Array;
const isU32 = (d: SafeTensor['data']): d is Uint32Array => d instanceof Uint32Array;

/** Builds the model from an already parsed `langid.safetensors`; PackError for anything off-format. */
export function langidFromSafetensors(file: SafetensorsFile, source = 'langid.safetensors'): LangidModel {
  const format = file.metadata['format'];
  if (format !== undefined && format !== LANGID_FORMAT) {
    throw new PackError(`${source}: format is ${format}, this engine reads ${LANGID_FORMAT}`);
  }
  const rawClasses = file.metadata['classes'];
  if (rawClasses === undefined) throw new PackError(`${source}: metadata has no "classes" list`);
  let classes: unknown;
  try {
    classes = JSON.parse(rawClasses);
  } catch (error) {
    throw new PackError(`${source}: metadata "classes" is not JSON`, { cause: error });
  }
  if (!Array.isArray(classes) || !classes.every((c): c is string => typeof c === 'string')) {
    throw new PackError(`${source}: metadata "classes" is not a list of language codes`);
  }
  const nbPtc = file.require('nb_ptc', source);
  if (nbPtc.shape.length !== 2 || nbPtc.shape[1] !== classes.length) {
    throw new PackError(`${source}: nb_ptc has shape ${JSON.stringify(nbPtc.shape)}, expected [features, ${classes.length}]`);
  }
  return new LangidModel({
    classes,
    nbPtc: tensorOf(file, 'nb_ptc', 'F32', isF32, source),
    nbPc: tensorOf(file, 'nb_pc', 'F32', isF32, source),
    nextMove: tensorOf(file, 'tk_nextmove', 'U16', isU16, source),
    outputStates: tensorOf(file, 'tk_output_states', 'U32', isU32, source),
    outputOffsets: tensorOf(file, 'tk_output_offsets', 'U32', isU32, source),
    outputFeatures: tensorOf(file, 'tk_output_features', 'U32', isU32, source),
  }, source);
}

/** Reads a pack's `langid.safetensors` (docs/pack-format.md); PackError when missing or malformed. */
export async function loadLangidModel(path: string): Promise<LangidModel> {
  return langidFromSafetensors(await readSafetensors(path), path);
}
