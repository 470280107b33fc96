import chalk from 'chalk';
import type { Command } from 'commander';
import { gradients, type GradientsResult } from '../api/gradients.js';
import { RnnError } from '../errors.js';
import { REACH_RATIO } from '../inspect/reach.js';
import { GRADIENTS_OPTIONS, MODEL_OPTIONS, TRAIN_OPTIONS } from '../options.js';
import { lineChart } from './chart.js';
import { chooseModel, MODEL_OPTION, refuseModelsAsTexts } from './model-arg.js';
import { addModelOptions, modelConfigFrom, type ModelFlags } from './model-options.js';
import { cliOption } from './options.js';
import { info, out, printJson } from './output.js';
import { interactive } from './streams.js';

type GradientsFlags = ModelFlags & { model?: string; maxDistance: number; positions: number; seed?: number; json: boolean };

export function gradientsCommand(program: Command): void {
  const cmd = program
    .command('gradients')
    .description('how far back the gradient reaches: ‖∂J⟨t⟩/∂h⟨t−k⟩‖ against k, per layer')
    .argument('[file...]', "UTF-8 text files (default: the model's validation split)")
    .option(...MODEL_OPTION);
  addModelOptions(cmd);
  cmd
    .addOption(cliOption(TRAIN_OPTIONS.seed, { help: "a fresh model's seed (default: random, printed)" }))
    .addOption(cliOption(GRADIENTS_OPTIONS.maxDistance))
    .addOption(cliOption(GRADIENTS_OPTIONS.positions))
    .option('--json', 'the numbers on stdout', false)
    .addHelpText('after', `
For a position t of the text, J⟨t⟩ = −ln p(the next character) is that one position's loss, and
h⟨t−k⟩ a layer's hidden state k steps earlier: ‖∂J⟨t⟩/∂h⟨t−k⟩‖ (every path, through time and
through the layers above) says how much the prediction at t can still learn from step t−k. The
chart shows its mean over --positions positions spread through the text (log scale), and the
distance where it first falls below ${REACH_RATIO.toExponential(0)} of its value at k = 0.

The model: --model, or the only model in this folder; or, with any model option (--cell,
--hidden, …), a fresh one initialised as \`rnn train\` would (its text: the files, else the bundled
corpus's validation split).`)
    .action(async (files: string[], flags: GradientsFlags, command: Command) => {
      refuseModelsAsTexts(files, true);
      const shaped = Object.keys(MODEL_OPTIONS).some((k) => command.getOptionValueSource(k) === 'cli');
      if (shaped && flags.model !== undefined) {
        throw new RnnError('--model and model options exclude each other', {
          expected: 'a trained model (--model), or the shape of a fresh one (--cell, --hidden, …)', got: 'both', kind: 'usage',
        });
      }
      const r = await gradients({
        files, maxDistance: flags.maxDistance, positions: flags.positions,
        ...(shaped ? { shape: modelConfigFrom(flags), seed: flags.seed } : { model: chooseModel(flags.model) }),
      });
      if (flags.json) {
        printJson(r);
        return;
      }
      info(`${r.model}${r.seed === null ? '' : ` (seed ${r.seed})`} on ${r.source}: ${r.positions} positions`);
      out(reachReport(r, interactive('stdout')).join('\n') + '\n');
    });
}

/** The log-scale chart of every layer's mean gradient norm, and each layer's reach in words. */
function reachReport(r: GradientsResult, tty: boolean): string[] {
  const L = r.layers.length;
  const series = r.layers.map((layer, l) => {
    const floor = Math.min(...layer.norms.filter((g) => g > 0));
    return { name: L === 1 ? '‖∂J⟨t⟩/∂h⟨t−k⟩‖' : `layer ${l + 1}`, points: layer.norms.map((g, k): [number, number] => [k, Math.log10(g > 0 ? g : floor)]) };
  });
  const width = tty ? Math.min(100, (process.stdout.columns ?? 80) - 12) : 70;
  const chart = lineChart(series, {
    width, height: 12, color: tty && chalk.level > 0,
    format: (y) => (10 ** y).toExponential(1).padStart(8), caption: `mean over positions, log scale; k = 0–${r.maxDistance} steps back`,
  });
  const ratio = REACH_RATIO.toExponential(0);
  const lines = r.layers.map((layer, l) => {
    const name = L === 1 ? 'the gradient' : `layer ${l + 1}`;
    return layer.reach === null
      ? `${name}: still above ${ratio} of its k = 0 value at k = ${r.maxDistance}`
      : `${name}: falls below ${ratio} of its k = 0 value at k = ${layer.reach}`;
  });
  return [...chart, '', ...lines];
}
