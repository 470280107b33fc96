/**
 * The learning rate as a pure function of the step and the run's plan, so that a resumed run
 * picks up exactly where it left off.
 *   cosine [default]: a linear warm-up over the first WARMUP_STEPS (at most a tenth of the plan),
 *     then lr_t = lr · (f + (1 − f)·½(1 + cos πu)), u the share of the planned steps after the
 *     warm-up that are done, f = 1/100: the rate reaches its floor exactly as the budget runs out.
 *     With no plan yet (a time budget before its speed is measured, or no budget) it holds lr.
 *   step: lr_t = lr · max(decay^⌊max(0, t − start) / every⌋, 1/100).
 */
export const LR_SCHEDULES = ['cosine', 'step'] as const;
export type LrScheduleKind = (typeof LR_SCHEDULES)[number];

export interface LrSchedule {
  kind: LrScheduleKind;
  lr: number;
  /** step: multiplier applied every `every` steps [1: no decay], from step `start`. */
  decay: number;
  every: number;
  start: number;
  /** cosine: the steps the budget allows (the plan), or null while there is none. */
  total: number | null;
}

/** The floor of either schedule, as a share of lr. */
export const MIN_FACTOR = 0.01;
/** cosine: steps of linear warm-up, at most a tenth of the plan. */
export const WARMUP_STEPS = 100;

export function learningRate(s: LrSchedule, step: number): number {
  if (s.kind === 'step') {
    if (s.decay === 1) return s.lr;
    const k = Math.floor(Math.max(0, step - s.start) / Math.max(1, s.every));
    return s.lr * Math.max(Math.pow(s.decay, k), MIN_FACTOR);
  }
  const warmup = Math.max(1, Math.min(WARMUP_STEPS, s.total === null ? WARMUP_STEPS : Math.floor(s.total / 10)));
  if (step < warmup) return (s.lr * (step + 1)) / warmup;
  if (s.total === null) return s.lr;
  const u = Math.min(1, (step - warmup) / Math.max(1, s.total - warmup));
  return s.lr * (MIN_FACTOR + (1 - MIN_FACTOR) * 0.5 * (1 + Math.cos(Math.PI * u)));
}

/** A time budget's plan: the steps done, plus the seconds left at the speed measured so far. */
export function stepsInTime(step: number, elapsedSeconds: number, maxTime: number, stepsPerSecond: number): number {
  return step + Math.max(0, Math.floor((maxTime - elapsedSeconds) * stepsPerSecond));
}

/** When a time budget's speed is measured: after this many steps of a session … */
export const PLAN_AFTER_STEPS = 20;
/** … and this share of the budget (at most PLAN_AFTER_SECONDS), so that start-up and JIT warm-up are behind. */
export const PLAN_AFTER_SHARE = 0.02;
export const PLAN_AFTER_SECONDS = 10;
