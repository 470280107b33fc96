import { Option, type Command } from 'commander';
import { layerNormByDefault, type ModelConfig } from '../engine/config.js';
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
    // a switch whose default depends on the others can be turned off too
    if (!spec.value && spec.nullable) cmd.addOption(new Option(`--no-${spec.flag.slice(2)}`).hideHelp());
  }
  return cmd;
}

/** The model-shape flags as parsed: a switch given neither way is undefined. */
export type ModelFlags = Omit<ModelShape, 'layerNorm'> & { layerNorm?: boolean };

/** The model's shape from the parsed flags (layer normalisation as the maker's default where not given). */
export function modelConfigFrom(o: ModelFlags): ModelShape {
  return {
    cell: o.cell, hidden: o.hidden, layers: o.layers, dropout: o.dropout, activation: o.activation,
    peephole: o.peephole, coupled: o.coupled, layerNorm: o.layerNorm ?? layerNormByDefault(o), minimal: o.minimal, resetAfter: o.resetAfter,
    bidirectional: o.bidirectional,
  };
}
