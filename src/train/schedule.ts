/**
 * Step decay of the learning rate: lr_t = lr · max(decay^⌊max(0, t − start) / every⌋, 1/100).
 * A pure function of the step, so a resumed run picks up exactly where it left off; the floor
 * keeps a long run learning.
 */
export interface LrSchedule {
  lr: number;
  /** Multiplier applied every `every` steps [1: no decay]. */
  decay: number;
  every: number;
  /** Step at which decay begins. */
  start: number;
}

const MIN_FACTOR = 0.01;

export function learningRate(s: LrSchedule, step: number): number {
  if (s.decay === 1) return s.lr;
  const k = Math.floor(Math.max(0, step - s.start) / Math.max(1, s.every));
  return s.lr * Math.max(Math.pow(s.decay, k), MIN_FACTOR);
}
