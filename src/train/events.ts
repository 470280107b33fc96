import type { HistoryEntry } from '../model-io/model-file.js';

/** What a training run tells whoever watches it (the CLI renders these; the library passes them on). */
export interface ProgressReport {
  step: number;
  epoch: number;
  /** Fraction of the current epoch done. */
  epochProgress: number;
  /** Mean training loss (nats/char) since the previous report. */
  trainLoss: number;
  /** The last validation loss, or null before the first evaluation. */
  valLoss: number | null;
  bestValLoss: number | null;
  charsPerSecond: number;
  /** Seconds to the step/epoch/time limit, or null when there is none. */
  etaSeconds: number | null;
  gradNorm: number;
  /** Share of steps since the previous report on which clipping fired. */
  clipRate: number;
  lr: number;
  elapsedSeconds: number;
}

export interface EvalReport {
  step: number;
  valLoss: number;
  improved: boolean;
  /** The history row the evaluation recorded. */
  entry: HistoryEntry;
}

/** The learning rate's plan (the cosine schedule): it reaches finalLr at `steps`, the budget's end. */
export interface PlanReport {
  steps: number;
  finalLr: number;
  /** What sets the end: a step or epoch limit, or the time budget at the speed measured. */
  basis: 'steps' | 'time';
}

export type StopReason = 'steps' | 'epochs' | 'max-time' | 'patience' | 'interrupted' | 'diverged';

export interface TrainEvents {
  progress?(p: ProgressReport): void;
  evaluated?(e: EvalReport): void;
  samples?(step: number, samples: { temperature: number; text: string }[]): void;
  saved?(kind: 'model' | 'checkpoint', path: string): void;
  warning?(message: string): void;
  planned?(p: PlanReport): void;
}
