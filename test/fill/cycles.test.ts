import { describe, expect, it } from 'vitest';
import { BidirectionalLanguageModel } from '../../src/engine/bidirectional.ts';
import { defaultModelConfig } from '../../src/engine/config.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import type { Vec } from '../../src/engine/types.ts';
import { fillText, gapClusters } from '../../src/fill/fill.ts';
import { parseGaps } from '../../src/fill/gaps.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { Rng } from '../../src/util/rng.ts';

const vocab = Vocab.fromText('0123456789 .\n', { eos: 'line' });
const digit = (id: number): number => (vocab.decode([id]).match(/^[0-9]$/) ? Number(vocab.decode([id])) : -1);
const idOf = (d: number): number => vocab.encode(String(d), { start: false }).ids[0]!;

/**
 * A fake bidirectional model whose conditionals cycle. In " A m B " (A, B gaps, m a digit):
 * A ← (B + 1) mod m (B not a digit: 0), B ← A. One sweep (A, then B) takes B to B + 1 mod m:
 * the pair cycles with period m. Clusters with m = 3, 4, 5, 7 cycle together with period 420.
 */
class Cycler extends BidirectionalLanguageModel {
  private z = new Float64Array(0);
  override infillLogits(x: Int32Array, _next: Int32Array, T: number, B: number): Vec {
    if (B !== 1) throw new Error('one stream');
    const V = this.config.vocabSize;
    if (this.z.length < T * V) this.z = new Float64Array(T * V);
    const z = this.z.fill(0);
    const at = (t: number): number => (t >= 0 && t < T ? x[t]! : 0);
    const space = vocab.encode(' ', { start: false }).ids[0]!;
    for (let t = 0; t < T; t++) {
      let d = 0;
      if (at(t - 1) === space && digit(at(t + 1)) > 0) d = (Math.max(0, digit(at(t + 2)) + 1)) % digit(at(t + 1));
      else if (at(t + 1) === space && digit(at(t - 1)) > 0) d = Math.max(0, digit(at(t - 2)));
      z[t * V + idOf(d)] = 8;
    }
    return z.subarray(0, T * V);
  }
}

describe('fill: cycles are caught per cluster of nearby gaps', () => {
  const model = new Cycler({ ...defaultModelConfig, cell: 'rnn', hidden: 2, layers: 1, vocabSize: vocab.size, bidirectional: true }, referenceKernels('f64'), new Rng(1));
  const pad = '..........';
  const text = [3, 4, 5, 7].map((m) => ` _${m}_ `).join(pad);

  it('gapClusters groups gaps at most 8 characters apart', () => {
    expect(gapClusters(parseGaps(text, vocab).gaps).map((c) => c.gaps)).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
    expect(gapClusters(parseGaps('_12345678_123456789_', vocab).gaps).map((c) => c.gaps)).toEqual([[0, 1], [2]]);
  });

  it('settles although the whole fill never repeats within the sweep limit', () => {
    const r = fillText(model, vocab, text, { seed: 1, batch: 1, seqLength: 1000 });
    expect(r.converged).toBe(true);
    expect(r.sweeps).toBeLessThan(10);
    // each cluster keeps a state of its cycle: after a sweep, B = A
    const fills = r.gaps.map((g) => Number(g.fill));
    for (let c = 0; c < 4; c++) expect(fills[2 * c + 1]).toBe(fills[2 * c]);
    expect(r.text).toMatch(/^ [0-9]3[0-9] \.+ [0-9]4[0-9] \.+ [0-9]5[0-9] \.+ [0-9]7[0-9] $/);
  });

  it('a stable fill is not mistaken for a cycle', () => {
    const r = fillText(model, vocab, ' 1_2 ', { seed: 1, batch: 1, seqLength: 1000 });
    expect(r.converged).toBe(true);
    expect(r.sweeps).toBe(2);
  });
});
