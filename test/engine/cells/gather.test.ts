import { describe, expect, it } from 'vitest';
import type { Cell } from '../../../src/engine/cells/cell.ts';
import { referenceKernels } from '../../../src/engine/kernels/index.ts';
import { createCell } from '../../../src/engine/stack.ts';
import { Rng } from '../../../src/util/rng.ts';
import { tinyConfig, variants } from '../variants.ts';

describe('one-hot input: gathering columns of W_ih equals W_ih·onehot(k) through gemm', () => {
  it('column k of W (G·H, V) is W·onehot(k) computed by gemm', () => {
    const k = referenceKernels('f64');
    const rng = new Rng(5);
    const GH = 12, V = 7;
    const W = k.alloc(GH * V).map(() => rng.normal());
    for (let tok = 0; tok < V; tok++) {
      const onehot = k.alloc(V);
      onehot[tok] = 1;
      const out = k.alloc(GH);
      k.gemm(false, false, GH, 1, V, W, 0, V, onehot, 0, 1, 0, out, 0, 1);
      for (let j = 0; j < GH; j++) expect(out[j]).toBe(W[j * V + tok]);
    }
  });

  for (const v of variants) {
    it(`${v.label}: a layer fed token ids equals the same layer fed dense one-hot rows (forward and backward)`, () => {
      const config = tinyConfig(v.over, { hidden: 4, vocabSize: 6 });
      const k = referenceKernels('f64');
      const T = 3, B = 2, P = T * B, H = 4, V = 6;
      const names = { prefix: 'rnn', layer: 0, suffix: '' };
      const a: Cell = createCell(config, k, names, V);
      const b: Cell = createCell(config, k, names, V);
      const rng = new Rng(11);
      a.init(() => rng.uniform());
      a.params.forEach((p, i) => b.params[i]!.data.set(p.data));
      const tokens = Int32Array.from({ length: P }, () => rng.int(V));
      const x = k.alloc(P * V);
      tokens.forEach((t, p) => (x[p * V + t] = 1));
      const s0 = k.alloc(a.stateBlocks * B * H).map(() => rng.normal());
      const sa = s0.slice(), sb = s0.slice();
      a.forward({ kind: 'tokens', tokens }, T, B, sa, 0);
      b.forward({ kind: 'dense', x, off: 0 }, T, B, sb, 0);
      for (let j = 0; j < (P + B) * H; j++) expect(a.hAll[j]).toBeCloseTo(b.hAll[j]!, 14);
      for (let j = 0; j < sa.length; j++) expect(sa[j]).toBeCloseTo(sb[j]!, 14);
      const dH = k.alloc(P * H).map(() => rng.normal());
      const da = k.alloc(s0.length), db = k.alloc(s0.length);
      a.backward(dH, 0, da, 0);
      b.backward(dH, 0, db, 0);
      a.params.forEach((p, i) => {
        for (let j = 0; j < p.grad.length; j++) expect(p.grad[j]).toBeCloseTo(b.params[i]!.grad[j]!, 14);
      });
      for (let j = 0; j < da.length; j++) expect(da[j]).toBeCloseTo(db[j]!, 14);
    });
  }
});
