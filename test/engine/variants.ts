import { defaultModelConfig, type ModelConfig } from '../../src/engine/config.ts';

/** Every cell × variant the engine supports, as small configurations for tests. */
export const variants: { label: string; over: Partial<ModelConfig> }[] = [
  { label: 'rnn tanh', over: { cell: 'rnn', activation: 'tanh' } },
  { label: 'rnn relu', over: { cell: 'rnn', activation: 'relu' } },
  { label: 'lstm', over: { cell: 'lstm' } },
  { label: 'lstm peephole', over: { cell: 'lstm', peephole: true } },
  { label: 'lstm coupled', over: { cell: 'lstm', coupled: true } },
  { label: 'lstm peephole coupled', over: { cell: 'lstm', peephole: true, coupled: true } },
  { label: 'lstm layer-norm', over: { cell: 'lstm', layerNorm: true } },
  { label: 'gru', over: { cell: 'gru' } },
  { label: 'gru resetAfter', over: { cell: 'gru', resetAfter: true } },
  { label: 'gru minimal', over: { cell: 'gru', minimal: true } },
];

export function tinyConfig(over: Partial<ModelConfig>, extra: Partial<ModelConfig> = {}): ModelConfig {
  return { ...defaultModelConfig, hidden: 5, layers: 1, vocabSize: 6, ...over, ...extra };
}
