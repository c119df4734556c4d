/**
 * The conditions the DiT is asked under (spec §1.1, §2.3): the real condition, the null condition for
 * guidance and, for double guidance, the text-only one, encoded in one batched call of each encoder.
 *
 * Null condition (text2music): zero text, zero speaker, lyric ids of token 0 with the lyric mask kept;
 * with ERG-lyric it is a *weakened* condition instead: real lyrics through lyric layers whose queries are
 * scaled by τ, and the ERG-tag text (UMT5 queries scaled by τ) when ERG-tag is on, else zero text.
 * FlowEdit's null zeroes the lyric mask too (§3.5, §10.4).
 */
import type { PackGraphs } from './models/graphs.js';
import type { PackManifest } from './models/manifest.js';
import { queryScales } from './guidance/erg.js';

export interface TokenizedPrompt {
  textIds: number[];
  textMask: number[];
  lyricIds: number[];
  lyricMask: number[];
}

/** One condition for one batch item: encoder states [S,W] and mask [S]. */
export interface Condition {
  hidden: Float32Array;
  mask: Float32Array;
}

export interface Conditioning {
  sequence: number; // S = 1 + Lt + Ll
  width: number; // W
  cond: Condition;
  uncond: Condition;
  textOnly: Condition | null;
}

export interface ConditioningOptions {
  ergTag: boolean;
  ergLyric: boolean;
  doubleGuidance: boolean;
  /** FlowEdit's null: zero text, speaker, lyric ids and lyric mask. */
  flowEditNull?: boolean;
}

type Row = { text: 'real' | 'erg' | 'zero'; lyricIds: 'real' | 'zero'; lyricMask: 'real' | 'zero'; lyricErg: boolean };

export async function buildConditioning(
  graphs: PackGraphs,
  manifest: PackManifest,
  tokens: TokenizedPrompt,
  options: ConditioningOptions,
): Promise<Conditioning> {
  const { modules, erg, constants } = manifest;
  const textLength = tokens.textIds.length;
  const lyricLength = tokens.lyricIds.length;
  const textWidth = constants.text_hidden_size;
  const umt5Layers = Number(modules.umt5?.num_layers);
  const lyricBlocks = Number((modules.transformer?.lyric_encoder as Record<string, unknown> | undefined)?.num_blocks);

  // 1. Text: the plain encoding, and the ERG-tag one when it will be used (only with ERG-lyric, §10.3).
  const needErgText = options.ergTag && options.ergLyric && !options.flowEditNull;
  const textRows = needErgText ? 2 : 1;
  const textQ = new Float32Array(textRows * umt5Layers).fill(1);
  if (needErgText) textQ.set(queryScales(umt5Layers, erg.umt5_layers, true, erg.tau), umt5Layers);
  const text = await graphs.encodeText(
    repeat(tokens.textIds, textRows),
    repeat(tokens.textMask, textRows),
    textQ,
    textRows,
    textLength,
  );
  const textSize = textLength * textWidth;
  const textOf = { real: text.subarray(0, textSize), erg: needErgText ? text.subarray(textSize, 2 * textSize) : null };

  // 2. Condition rows, all with the same lengths, in one call.
  const rows: Row[] = [{ text: 'real', lyricIds: 'real', lyricMask: 'real', lyricErg: false }];
  if (options.flowEditNull) rows.push({ text: 'zero', lyricIds: 'zero', lyricMask: 'zero', lyricErg: false });
  else if (options.ergLyric) rows.push({ text: options.ergTag ? 'erg' : 'zero', lyricIds: 'real', lyricMask: 'real', lyricErg: true });
  else rows.push({ text: 'zero', lyricIds: 'zero', lyricMask: 'real', lyricErg: false });
  if (options.doubleGuidance) {
    rows.push(options.ergLyric
      ? { text: 'real', lyricIds: 'real', lyricMask: 'real', lyricErg: true }
      : { text: 'real', lyricIds: 'zero', lyricMask: 'real', lyricErg: false });
  }

  const batch = rows.length;
  const textInput = new Float32Array(batch * textSize);
  const lyricIds: number[] = [];
  const lyricMask: number[] = [];
  const lyricQ = new Float32Array(batch * lyricBlocks).fill(1);
  rows.forEach((row, index) => {
    const source = row.text === 'real' ? textOf.real : row.text === 'erg' ? textOf.erg : null;
    if (source) textInput.set(source, index * textSize);
    lyricIds.push(...(row.lyricIds === 'real' ? tokens.lyricIds : tokens.lyricIds.map(() => 0)));
    lyricMask.push(...(row.lyricMask === 'real' ? tokens.lyricMask : tokens.lyricMask.map(() => 0)));
    if (row.lyricErg) lyricQ.set(queryScales(lyricBlocks, erg.lyric_layers, true, erg.tau), index * lyricBlocks);
  });
  const encoded = await graphs.encodeCondition({
    text: textInput,
    textMask: repeat(tokens.textMask, batch),
    speaker: new Float32Array(batch * constants.speaker_embedding_dim), // always zeros upstream (§1.4)
    lyricIds,
    lyricMask,
    lyricQScale: lyricQ,
    batch,
    textLength,
    lyricLength,
  });
  const sequence = 1 + textLength + lyricLength;
  const width = encoded.hidden.length / (batch * sequence);
  const condition = (index: number): Condition => ({
    hidden: encoded.hidden.slice(index * sequence * width, (index + 1) * sequence * width),
    mask: encoded.mask.slice(index * sequence, (index + 1) * sequence),
  });
  return { sequence, width, cond: condition(0), uncond: condition(1), textOnly: options.doubleGuidance ? condition(2) : null };
}

function repeat(values: readonly number[], times: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push(...values);
  return out;
}
