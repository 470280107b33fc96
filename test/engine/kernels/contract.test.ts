/**
 * The kernel contract is checked by the compiler: `npm test` type-checks the tests, and each
 * @ts-expect-error below must meet the error it names, or the type check fails.
 */
import { describe, expect, it } from 'vitest';
import { referenceKernels } from '../../../src/engine/kernels/index.ts';
import type { Kernels } from '../../../src/engine/kernels/ops.ts';
import type { FusedOverrides } from '../../../src/engine/kernels/wasm-fused.ts';

const js = referenceKernels('f32');

// A backend's override whose name is misspelt does not compile.
export const misspelt: FusedOverrides = {
  // @ts-expect-error: lstmForwrd is no op of the contract
  lstmForwrd: js.lstmForward,
};

// An override with the wrong signature does not compile.
export const wrongSignature: FusedOverrides = {
  // @ts-expect-error: softmaxXent returns the loss, a number
  softmaxXent: (_N: number, _V: number) => 'loss',
};

// A backend without one of the contract's ops does not compile (as the TypeScript backend would not
// if an op were added to the contract without its reference).
const { lstmBackward: _omitted, ...incomplete } = js;
// @ts-expect-error: lstmBackward is missing
export const notABackend: Kernels = incomplete;

describe('the kernel contract', () => {
  it('the TypeScript backend implements every op the cells call', () => {
    for (const op of ['gemm', 'columnSums', 'gatherColumns', 'scatterColumns', 'rnnTanhForward', 'rnnReluBackward', 'lstmCoupledBackward',
      'gruResetAfterBackward', 'gruMinimalForward', 'softmaxXent', 'logProbs', 'adamUpdate', 'rmspropUpdate', 'sgdUpdate', 'sumSq', 'clipValue'] as const) {
      expect(js[op], op).toBeTypeOf('function');
    }
    expect(notABackend.lstmForward).toBe(js.lstmForward);
    expect(Object.keys(misspelt)).toEqual(['lstmForwrd']);
    expect(wrongSignature.softmaxXent).toBeTypeOf('function');
  });
});
