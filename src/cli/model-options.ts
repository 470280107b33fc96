import { Option, type Command } from 'commander';
import { defaultModelConfig, type ModelConfig } from '../engine/config.js';
import { choice, int, probability } from './parse.js';

/** The model-shape options shared by `train` and `gradcheck`. */
export function addModelOptions(cmd: Command, defaults: Partial<ModelConfig> = {}): Command {
  const d = { ...defaultModelConfig, ...defaults };
  return cmd
    .addOption(new Option('--cell <kind>', 'recurrent cell: rnn, lstm or gru').argParser(choice('--cell', ['rnn', 'lstm', 'gru'] as const)).default(d.cell))
    .addOption(new Option('--hidden <n>', 'units per layer').argParser(int('--hidden', 1, 65536)).default(d.hidden))
    .addOption(new Option('--layers <n>', 'stacked layers').argParser(int('--layers', 1, 64)).default(d.layers))
    .addOption(new Option('--dropout <p>', 'dropout while training: between layers, or before the output layer of a one-layer model').argParser(probability('--dropout')).default(d.dropout))
    .addOption(new Option('--activation <fn>', 'rnn activation: tanh or relu').argParser(choice('--activation', ['tanh', 'relu'] as const)).default(d.activation))
    .option('--peephole', 'lstm: diagonal peephole connections', false)
    .option('--coupled', 'lstm: coupled input and forget gates', false)
    .option('--minimal', 'gru: no reset gate (the minimal GRU)', false)
    .option('--reset-after', 'gru: the PyTorch/cuDNN form (reset applied after the matmul)', false)
    .option('--bidirectional', 'forward and backward stacks, for infilling (rnn fill)', false);
}

export interface ModelOptionValues {
  cell: ModelConfig['cell'];
  hidden: number;
  layers: number;
  dropout: number;
  activation: ModelConfig['activation'];
  peephole: boolean;
  coupled: boolean;
  minimal: boolean;
  resetAfter: boolean;
  bidirectional: boolean;
}

export function modelConfigFrom(o: ModelOptionValues): Omit<ModelConfig, 'vocabSize'> {
  return {
    cell: o.cell, hidden: o.hidden, layers: o.layers, dropout: o.dropout, activation: o.activation,
    peephole: o.peephole, coupled: o.coupled, minimal: o.minimal, resetAfter: o.resetAfter, bidirectional: o.bidirectional,
  };
}
