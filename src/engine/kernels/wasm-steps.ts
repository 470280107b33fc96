import type { Vec } from '../types.js';
import type {
  GruStepsBackward, GruStepsForward, Kernels, LnLstmStepsBackward, LnLstmStepsForward, LstmStepsBackward, LstmStepsForward, PackedB,
  RnnStepsBackward, RnnStepsForward,
} from './ops.js';
import type { StepFn } from './pool-jobs.js';

/**
 * Run asm recurrence `fn` (asm/steps.ts) over a batch of B rows, split into blocks of rows over
 * the threads. args are its arguments for the whole batch (args[2], the row count, and the last,
 * the scratch, are filled in per block); rowBytes[j] is how far argument j moves per row.
 */
export type RunSteps = (fn: StepFn, B: number, args: number[], rowBytes: number[]) => void;

/** The whole-sequence recurrences, the optional members of the kernel contract. */
export type StepsOps = Pick<Kernels, 'rnnTanhStepsForward' | 'rnnTanhStepsBackward' | 'lstmStepsForward' | 'lstmStepsBackward'
  | 'lnLstmStepsForward' | 'lnLstmStepsBackward' | 'gruStepsForward' | 'gruStepsBackward'>;

/**
 * The cells' whole-sequence recurrences (`*Steps*` in the kernel contract), each a loop of the cell's
 * own step (GEMM against the packed W_hh, then its fused element-wise op) run by asm/steps.ts on
 * every thread at once, each thread on its own rows of the batch. Each returns false when it cannot
 * take the call (a foreign buffer, H not a multiple of 4, an unpacked W_hh); the cell then runs
 * its steps one at a time.
 */
export function createWasmSteps(
  own: (x: Vec) => x is Float32Array, packedAt: (p: PackedB | undefined) => number, run: RunSteps,
): StepsOps {
  /** Byte address of x[off] (x from this kernel set, checked by ok); 0 for an unused null. */
  const f = (x: Vec | null, off = 0): number => (x ? x.byteOffset + off * 4 : 0);
  const ok = (H: number, ...xs: (Vec | null)[]): boolean => (H & 3) === 0 && xs.every((x) => x === null || own(x));

  const rnnTanhStepsForward: RnnStepsForward = (T, B, H, gates, hAll, whhT) => {
    const w = packedAt(whhT);
    if (w < 0 || !ok(H, gates, hAll)) return false;
    const row = 4 * H;
    run('rnn_tanh_steps_forward', B, [T, B, 0, H, f(gates), f(hAll), w, 0], [0, 0, 0, 0, row, row, 0, 0]);
    return true;
  };
  const rnnTanhStepsBackward: RnnStepsBackward = (T, B, H, hAll, dH, dHOff, dhNext, dGates, whh) => {
    const w = packedAt(whh);
    if (w < 0 || !ok(H, hAll, dH, dhNext, dGates)) return false;
    const row = 4 * H;
    run('rnn_tanh_steps_backward', B, [T, B, 0, H, f(hAll), f(dH, dHOff), f(dhNext), f(dGates), w, 0], [0, 0, 0, 0, row, row, row, row, 0, 0]);
    return true;
  };
  const lstmStepsForward: LstmStepsForward = (T, B, H, gates, cAll, tanhC, hAll, whhT) => {
    const w = packedAt(whhT);
    if (w < 0 || !ok(H, gates, cAll, tanhC, hAll)) return false;
    const row = 4 * H;
    run('lstm_steps_forward', B, [T, B, 0, H, f(gates), f(cAll), f(tanhC), f(hAll), w, 0], [0, 0, 0, 0, 4 * row, row, row, row, 0, 0]);
    return true;
  };
  const lstmStepsBackward: LstmStepsBackward = (T, B, H, gates, cAll, tanhC, dH, dHOff, dhNext, dcNext, dGates, whh) => {
    const w = packedAt(whh);
    if (w < 0 || !ok(H, gates, cAll, tanhC, dH, dhNext, dcNext, dGates)) return false;
    const row = 4 * H;
    run('lstm_steps_backward', B,
      [T, B, 0, H, f(gates), f(cAll), f(tanhC), f(dH, dHOff), f(dhNext), f(dcNext), f(dGates), w, 0],
      [0, 0, 0, 0, 4 * row, row, row, row, row, row, 4 * row, 0, 0]);
    return true;
  };
  const lnLstmStepsForward: LnLstmStepsForward = (T, B, H, gates, hHat, rstdH, cAll, cHat, rstdC, tanhC, hAll, norm, whhT) => {
    const w = packedAt(whhT);
    if (w < 0 || !ok(H, gates, hHat, rstdH, cAll, cHat, rstdC, tanhC, hAll, norm)) return false;
    const row = 4 * H;
    run('ln_lstm_steps_forward', B,
      [T, B, 0, H, f(gates), f(hHat), f(rstdH), f(cAll), f(cHat), f(rstdC), f(tanhC), f(hAll), f(norm), w, 0],
      [0, 0, 0, 0, 4 * row, 4 * row, 4, row, row, 4, row, row, 0, 0, 0]);
    return true;
  };
  const lnLstmStepsBackward: LnLstmStepsBackward = (T, B, H, gates, hHat, rstdH, cAll, cHat, rstdC, tanhC, norm, dH, dHOff, dhNext, dcNext, dGates, dGh, dZc, whh) => {
    const w = packedAt(whh);
    if (w < 0 || !ok(H, gates, hHat, rstdH, cAll, cHat, rstdC, tanhC, norm, dH, dhNext, dcNext, dGates, dGh, dZc)) return false;
    const row = 4 * H;
    run('ln_lstm_steps_backward', B,
      [T, B, 0, H, f(gates), f(hHat), f(rstdH), f(cAll), f(cHat), f(rstdC), f(tanhC), f(norm), f(dH, dHOff), f(dhNext), f(dcNext),
        f(dGates), f(dGh), f(dZc), w, 0],
      [0, 0, 0, 0, 4 * row, 4 * row, 4, row, row, 4, row, 0, row, row, row, 4 * row, 4 * row, row, 0, 0]);
    return true;
  };
  const gruStepsForward: GruStepsForward = (T, B, H, G, gates, hAll, rh, whAT, whNT) => {
    const wA = packedAt(whAT), wN = G === 3 ? packedAt(whNT) : 0;
    if (wA < 0 || wN < 0 || !ok(H, gates, hAll, rh)) return false;
    const row = 4 * H;
    run('gru_steps_forward', B, [T, B, 0, H, G, f(gates), f(hAll), f(rh), wA, wN, 0], [0, 0, 0, 0, 0, G * row, row, rh ? row : 0, 0, 0, 0]);
    return true;
  };
  const gruStepsBackward: GruStepsBackward = (T, B, H, G, gates, hAll, dH, dHOff, dhNext, drh, dGates, whA, whN) => {
    const wA = packedAt(whA), wN = G === 3 ? packedAt(whN) : 0;
    if (wA < 0 || wN < 0 || !ok(H, gates, hAll, dH, dhNext, drh, dGates)) return false;
    const row = 4 * H;
    run('gru_steps_backward', B,
      [T, B, 0, H, G, f(gates), f(hAll), f(dH, dHOff), f(dhNext), f(drh), f(dGates), wA, wN, 0],
      [0, 0, 0, 0, 0, G * row, row, row, row, drh ? row : 0, G * row, 0, 0, 0]);
    return true;
  };

  return { rnnTanhStepsForward, rnnTanhStepsBackward, lstmStepsForward, lstmStepsBackward, lnLstmStepsForward, lnLstmStepsBackward, gruStepsForward, gruStepsBackward };
}
