/**
 * One-hot vectors: x⟨t⟩ ∈ R^V with a single 1 at the token's id. The engine may compute
 * W·onehot(k) as "take column k" of W; test/tokenizer/onehot.test.ts shows the two agree.
 */
import { RnnError } from '../errors.js';

/** x = e_id ∈ R^V, written into `out` when given (zeroed first), else a new Float32Array. */
export function oneHot<T extends Float32Array | Float64Array = Float32Array>(id: number, V: number, out?: T): T {
  if (!Number.isInteger(V) || V < 1) throw new RnnError('invalid vocabulary size', { expected: 'an integer ≥ 1', got: String(V) });
  if (!Number.isInteger(id) || id < 0 || id >= V) {
    throw new RnnError('token id out of range', { expected: `an integer in [0, ${V})`, got: String(id) });
  }
  const x = out ?? (new Float32Array(V) as T);
  if (x.length !== V) throw new RnnError('one-hot buffer has the wrong length', { expected: String(V), got: String(x.length) });
  x.fill(0);
  x[id] = 1;
  return x;
}

/** The one-hot rows of a token sequence: an (n, V) row-major matrix. */
export function oneHotRows(ids: ArrayLike<number>, V: number): Float32Array {
  const X = new Float32Array(ids.length * V);
  for (let t = 0; t < ids.length; t++) oneHot(ids[t], V, X.subarray(t * V, (t + 1) * V));
  return X;
}
