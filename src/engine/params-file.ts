/**
 * Reads the parameter files ACE-Step's own UI saves (`*_input_params.json`, e.g. the examples in
 * `../shared/data/acestep-v1/examples/`) and maps every field onto an acejam request, so a run can be
 * repeated and compared with upstream's. Unknown fields are named, never silently dropped.
 */
import { InvalidInputError } from './errors.js';
import type { RequestInput } from './request.js';

/** Fields that describe the upstream run rather than ask for anything: accepted and ignored. */
const INFORMATIONAL = new Set(['timecosts', 'audio_path', 'format', 'lora_name_or_path', 'lora_weight', 'retake_seeds_actual']);

export interface ParamsFileResult {
  /** The request fields (without sources: the caller loads `src_audio_path` / `ref_audio_input`). */
  request: Partial<RequestInput> & { task: RequestInput['task'] };
  /** Paths of audio the file refers to, for the caller to load. */
  sourceAudioPath: string | null;
  unknownFields: string[];
  /** Upstream settings acejam cannot honour as given (e.g. a LoRA that needs its own pack). */
  notes: string[];
}

type Json = Record<string, unknown>;

const num = (value: unknown, field: string): number => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidInputError(field, `must be a number, got ${JSON.stringify(value)}`);
  return value;
};
const bool = (value: unknown, field: string): boolean => {
  if (typeof value !== 'boolean') throw new InvalidInputError(field, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
};
const str = (value: unknown, field: string): string => {
  if (typeof value !== 'string') throw new InvalidInputError(field, `must be a string, got ${JSON.stringify(value)}`);
  return value;
};
const seeds = (value: unknown, field: string): number[] | undefined => {
  if (value === null || value === undefined) return undefined;
  const list = typeof value === 'string' ? value.split(',').map((s) => Number(s.trim())) : value;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'number')) throw new InvalidInputError(field, 'must be a list of integers');
  return list.length > 0 ? (list as number[]) : undefined;
};

export function mapParamsFile(json: unknown): ParamsFileResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidInputError('params', 'must be a JSON object');
  const params = json as Json;
  const notes: string[] = [];
  const unknownFields: string[] = [];
  const audio2audio = params.audio2audio_enable === true && typeof params.ref_audio_input === 'string';
  const rawTask = audio2audio ? 'audio2audio' : typeof params.task === 'string' ? params.task : 'text2music';
  if (!['text2music', 'retake', 'repaint', 'extend', 'edit', 'audio2audio'].includes(rawTask)) {
    throw new InvalidInputError('task', `unknown task ${JSON.stringify(rawTask)} (text2music, retake, repaint, extend, edit, audio2audio)`);
  }
  const task = rawTask as RequestInput['task'];
  const request: Json = { task };
  let sourceAudioPath: string | null = null;

  for (const [key, value] of Object.entries(params)) {
    switch (key) {
      case 'task':
      case 'audio2audio_enable':
        break;
      case 'prompt':
        request.tags = str(value, key);
        break;
      case 'lyrics':
        request.lyrics = str(value, key);
        break;
      case 'audio_duration': {
        const duration = num(value, key);
        // The UI's −1 means "random 30–240 s"; acejam asks for an explicit duration.
        if (duration > 0 && !['repaint', 'extend', 'edit', 'audio2audio'].includes(task)) request.duration = duration;
        break;
      }
      case 'infer_step':
        request.steps = num(value, key);
        break;
      case 'guidance_scale':
        request.guidanceScale = num(value, key);
        break;
      case 'scheduler_type':
        request.scheduler = str(value, key);
        break;
      case 'cfg_type':
        request.cfgType = str(value, key);
        break;
      case 'omega_scale':
        request.omegaScale = num(value, key);
        break;
      case 'guidance_interval':
        request.guidanceInterval = num(value, key);
        break;
      case 'guidance_interval_decay':
        request.guidanceIntervalDecay = num(value, key);
        break;
      case 'min_guidance_scale':
        request.minGuidanceScale = num(value, key);
        break;
      case 'use_erg_tag':
        request.ergTag = bool(value, key);
        break;
      case 'use_erg_lyric':
        request.ergLyric = bool(value, key);
        break;
      case 'use_erg_diffusion':
        request.ergDiffusion = bool(value, key);
        break;
      case 'oss_steps': {
        const steps = typeof value === 'string' ? value.split(',').filter((s) => s.trim()).map(Number) : value;
        if (!Array.isArray(steps)) throw new InvalidInputError(key, 'must be a list of step numbers');
        if (steps.length > 0) request.ossSteps = steps;
        break;
      }
      case 'guidance_scale_text':
        request.guidanceScaleText = num(value, key);
        break;
      case 'guidance_scale_lyric':
        request.guidanceScaleLyric = num(value, key);
        break;
      case 'actual_seeds':
      case 'manual_seeds': {
        const list = seeds(value, key);
        if (list) {
          request.seeds = list;
          request.batch = list.length;
        }
        break;
      }
      case 'retake_seeds': {
        const list = seeds(value, key);
        if (list && ['retake', 'repaint', 'extend', 'edit'].includes(task)) request.retakeSeeds = list;
        break;
      }
      case 'retake_variance':
        if (task === 'retake' || task === 'repaint') request.variance = num(value, key);
        break;
      case 'repaint_start':
        if (task === 'repaint') request.start = num(value, key);
        if (task === 'extend') request.left = Math.max(0, -num(value, key));
        break;
      case 'repaint_end':
        if (task === 'repaint') request.end = num(value, key);
        // The UI stores the source duration + right seconds: the caller fixes `right` once the source is loaded.
        if (task === 'extend') request.repaintEnd = num(value, key);
        break;
      case 'edit_n_min':
        if (task === 'edit') request.nMin = num(value, key);
        break;
      case 'edit_n_max':
        if (task === 'edit') request.nMax = num(value, key);
        break;
      case 'edit_n_avg':
        if (task === 'edit') request.nAvg = num(value, key);
        break;
      case 'edit_target_prompt':
        if (task === 'edit' && value !== null) request.targetTags = str(value, key);
        break;
      case 'edit_target_lyrics':
        if (task === 'edit' && value !== null) request.targetLyrics = str(value, key);
        break;
      case 'src_audio_path':
        if (value !== null && task !== 'audio2audio') sourceAudioPath = str(value, key);
        break;
      case 'ref_audio_input':
        if (value !== null && task === 'audio2audio') sourceAudioPath = str(value, key);
        break;
      case 'ref_audio_strength':
        if (task === 'audio2audio') request.strength = num(value, key);
        break;
      case 'batch_size':
        request.batch = num(value, key);
        break;
      default:
        if (INFORMATIONAL.has(key)) {
          if (key === 'lora_name_or_path' && value !== 'none' && value !== null) {
            notes.push(`lora_name_or_path ${JSON.stringify(value)}: LoRAs are merged into their own pack (python3 -m tools.export --lora); use --pack for it`);
          }
        } else {
          unknownFields.push(key);
        }
    }
  }
  if (task === 'edit' && request.nMin !== undefined) request.preset = 'custom';
  return { request: request as ParamsFileResult['request'], sourceAudioPath, unknownFields, notes };
}
