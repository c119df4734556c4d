/**
 * edit (FlowEdit, spec §3.5): steer the source latent from its own description towards the target one.
 * Presets: only_lyrics (n_min 0.6, n_max 1.0) keeps the melody; remix (0.2, 0.4) may change it.
 */
import { EDIT_PRESETS } from '../request.js';
import { flowMatchSigmas } from '../schedulers/schedule.js';
import type { FlowEditPlan } from './plan.js';

export interface EditRequest {
  steps: number;
  preset: 'only_lyrics' | 'remix' | 'custom';
  nMin?: number | undefined;
  nMax?: number | undefined;
  nAvg: number;
}

export function editWindow(request: EditRequest): { nMin: number; nMax: number } {
  const preset = request.preset === 'custom' ? undefined : EDIT_PRESETS[request.preset];
  return { nMin: request.nMin ?? preset?.nMin ?? 0, nMax: request.nMax ?? preset?.nMax ?? 1 };
}

export function planEdit(request: EditRequest, source: Float32Array, frames: number): FlowEditPlan {
  const { nMin, nMax } = editWindow(request);
  return {
    kind: 'flowedit',
    frames,
    source,
    sigmas: flowMatchSigmas(request.steps),
    nMin: Math.trunc(request.steps * nMin),
    nMax: Math.trunc(request.steps * nMax),
    nAvg: request.nAvg,
  };
}
