/**
 * A model's parameters from a file (or a page's copy of one) into the engine's tensors: the names
 * and shapes checked first. No Node API here, so that a web page loads parameters the same way.
 */
import { RnnError } from '../errors.js';
import type { Tensor, TensorData } from './tensor.js';

/** At most `n` items of a list for a one-line message, then how many more. */
function listSome(items: readonly string[], n = 8): string {
  return items.slice(0, n).join(', ') + (items.length > n ? `, and ${items.length - n} more` : '');
}

/**
 * Checks the file's params against the expected tensors (e.g. the engine's Param[]): the same
 * names, and the same shapes. Throws one RnnError listing what differs.
 */
export function checkParams(
  params: Record<string, Tensor<TensorData>>, expected: readonly { name: string; shape: readonly number[] }[], source = 'model file',
  hint = 'the file is damaged or was written by an incompatible rnn; retrain',
): void {
  const issues: string[] = [];
  const want = new Map(expected.map((p) => [p.name, p.shape]));
  for (const [name, shape] of want) {
    const got = params[name];
    if (!Object.hasOwn(params, name)) issues.push(`missing ${name}`);
    else if (got.shape.length !== shape.length || got.shape.some((d, k) => d !== shape[k])) issues.push(`${name} is [${got.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  for (const name of Object.keys(params)) if (!want.has(name)) issues.push(`unexpected ${name}`);
  if (issues.length > 0) {
    throw new RnnError(`the parameters in ${source} do not fit its configuration`, {
      expected: listSome([...want].map(([n, s]) => `${n} [${s.join(', ')}]`)),
      got: issues.slice(0, 8).join('; ') + (issues.length > 8 ? `; and ${issues.length - 8} more` : ''),
      hint,
    });
  }
}

/** Copies the file's params into the model's tensors after checkParams. */
export function loadParamsInto(params: Record<string, Tensor<TensorData>>, into: readonly { name: string; shape: readonly number[]; data: TensorData }[], source?: string): void {
  checkParams(params, into, source);
  for (const p of into) p.data.set(params[p.name].data);
}
