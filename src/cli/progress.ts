/** Renders engine progress on stderr: a bar on a terminal, a line per stage change otherwise. */
import cliProgress from 'cli-progress';

import type { ProgressEvent } from '../engine/index.js';

export interface ProgressView {
  update(event: ProgressEvent): void;
  stop(): void;
}

export function progressView(enabled: boolean, isTTY = Boolean(process.stderr.isTTY)): ProgressView {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  if (isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: '{bar} {percentage}% | {message} | ETA {eta_text}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, 0, { message: 'starting', eta_text: '…' });
    return {
      update: (event) => bar.update(event.percent, { message: `${event.stage}: ${event.message}`, eta_text: event.etaSeconds === null ? '…' : `${event.etaSeconds.toFixed(0)}s` }),
      stop: () => bar.stop(),
    };
  }
  let lastStage = '';
  let lastTenth = -1;
  return {
    update: (event) => {
      const tenth = Math.floor(event.percent / 10);
      if (event.stage !== lastStage || tenth !== lastTenth) {
        process.stderr.write(`[${event.percent.toFixed(0).padStart(3)}%] ${event.stage}: ${event.message}\n`);
        lastStage = event.stage;
        lastTenth = tenth;
      }
    },
    stop: () => undefined,
  };
}
