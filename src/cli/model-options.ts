import type { Command } from 'commander';
import type { ModelConfig } from '../engine/config.js';
import { MODEL_OPTIONS } from '../options.js';
import { cliOption } from './options.js';

export type ModelShape = Omit<ModelConfig, 'vocabSize'>;

/**
 * The model-shape options shared by `train` and `gradcheck`: defaults from the table, or
 * `defaults`, or none for those in `chosen` (the command picks them; its text says how).
 */
export function addModelOptions(cmd: Command, defaults: Partial<ModelShape> = {}, chosen: Partial<Record<keyof ModelShape, string>> = {}): Command {
  for (const [k, spec] of Object.entries(MODEL_OPTIONS)) {
    const key = k as keyof ModelShape;
    cmd.addOption(cliOption(spec, key in chosen ? { default: undefined, defaultText: chosen[key] } : key in defaults ? { default: defaults[key] } : {}));
  }
  return cmd;
}

/** The model's shape from the parsed flags. */
export function modelConfigFrom(o: ModelShape): ModelShape {
  return {
    cell: o.cell, hidden: o.hidden, layers: o.layers, dropout: o.dropout, activation: o.activation,
    peephole: o.peephole, coupled: o.coupled, layerNorm: o.layerNorm, minimal: o.minimal, resetAfter: o.resetAfter, bidirectional: o.bidirectional,
  };
}
