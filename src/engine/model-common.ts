import { RnnError } from '../errors.js';
import type { Param, Vec } from './types.js';

/** What both model classes (unidirectional and bidirectional) share. */

/** Zero stream b's rows in each of the state's `blocks` (B, H) blocks. */
export function resetStreamRows(state: Vec, B: number, b: number, H: number, blocks: number): void {
  for (let k = 0; k < blocks; k++) state.fill(0, k * B * H + b * H, k * B * H + (b + 1) * H);
}

export function zeroGrads(params: readonly Param[]): void {
  for (const p of params) p.grad.fill(0);
}

/** A parameter by its PyTorch name. */
export function findParam(params: readonly Param[], name: string): Param {
  const p = params.find((q) => q.name === name);
  if (!p) throw new RnnError(`no parameter named ${name}`, { expected: params.map((q) => q.name).join(', '), got: name });
  return p;
}
