/** Progress events of a run, rendered by every front end (CLI bar, Discord status message, MCP progress). */
export type Stage = 'tokenize' | 'encode' | 'diffuse' | 'decode';

export interface ProgressEvent {
  stage: Stage;
  /** Step k of N within the stage (diffuse: model steps; decode: model calls). */
  step: number;
  steps: number;
  /** Whole-run progress in [0, 100]. */
  percent: number;
  /** Seconds left, from the pace of the diffusion steps so far (null until one step is done). */
  etaSeconds: number | null;
  message: string;
}

/** Share of the whole run each stage takes, for a single progress bar. */
export const STAGE_SPAN: Record<Stage, [number, number]> = {
  tokenize: [0, 2],
  encode: [2, 8],
  diffuse: [8, 92],
  decode: [92, 100],
};
