import type { DType, Vec } from '../../types.js';
import type { Kernels } from '../ops.js';
import { gemm } from './gemm.js';
import { gru } from './gru.js';
import { loss } from './loss.js';
import { lnLstm } from './ln-lstm.js';
import { lstm } from './lstm.js';
import { optim } from './optim.js';
import { rnn } from './rnn.js';
import { skeleton } from './skeleton.js';

/**
 * The TypeScript backend: every op of the contract in plain loops, the reference every faster
 * backend is tested against and, in float64, the backend of the gradient checks.
 */
export function createJsKernels(dtype: DType, memoryLimit = Number.MAX_SAFE_INTEGER): Kernels {
  const alloc = dtype === 'f64' ? (n: number): Vec => new Float64Array(n) : (n: number): Vec => new Float32Array(n);
  return { name: `js-${dtype}`, description: 'TypeScript reference kernels', dtype, alloc, memoryLimit, gemm, ...skeleton, ...rnn, ...lstm, ...lnLstm, ...gru, ...loss, ...optim };
}
