import { describe, expect, it } from 'vitest';
import { describeCell } from '../../src/engine/config.ts';
import { parameterLayout } from '../../src/engine/create.ts';
import { paramCount } from '../../src/engine/memory.ts';
import { tinyConfig } from './variants.ts';

// The layer-normalised cell's gradients are checked with every variant (gradcheck.test.ts), its
// outputs against PyTorch (test/interop/torch.test.ts); here what is particular to it.
describe('layer-normalised LSTM (cells/ln-lstm.ts)', () => {
  const config = tinyConfig({ cell: 'lstm', layerNorm: true }, { layers: 2, hidden: 5 });

  it('has the LSTM tensors and, per layer, the gains ln_ih, ln_hh (4H) and ln_c_weight, ln_c_bias (H)', () => {
    const layout = parameterLayout(config);
    const shape = (name: string) => layout.find((p) => p.name === name)?.shape;
    for (const l of [0, 1]) {
      expect(shape(`rnn.ln_ih_l${l}`)).toEqual([20]);
      expect(shape(`rnn.ln_hh_l${l}`)).toEqual([20]);
      expect(shape(`rnn.ln_c_weight_l${l}`)).toEqual([5]);
      expect(shape(`rnn.ln_c_bias_l${l}`)).toEqual([5]);
    }
    expect(paramCount(config)).toBe(layout.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0));
    expect(describeCell(config)).toBe('lstm (layer-norm)');
  });

  it('is refused with another cell, or with peepholes or coupled gates', () => {
    expect(() => parameterLayout({ ...config, cell: 'gru' })).toThrow(/--layer-norm does not apply to --cell gru/);
    expect(() => parameterLayout({ ...config, coupled: true })).toThrow(/--layer-norm does not combine with --coupled/);
  });
});
