import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { assertWritable, displayPath, withExtension } from '../api/paths.js';
import { buildReport } from '../api/report.js';
import { RnnError } from '../errors.js';
import { looksLikeModel, writeFileAtomic } from '../model-io/index.js';
import { TRAIN_OPTIONS } from '../options.js';
import { chooseModel, MODEL_OPTION } from './model-arg.js';
import { cliOption } from './options.js';
import { info } from './output.js';

interface ReportFlags {
  model?: string;
  output?: string;
  text: string[];
  seed?: number;
}

export function reportCommand(program: Command, version: string): void {
  program
    .command('report')
    .description('one self-contained HTML page about a model: its card, training curves, gradient reach, surprisal, samples, and a sampler that runs in the page')
    .argument('[model]', 'model file (the same as --model)')
    .option(...MODEL_OPTION)
    .option('-o, --output <path>', "where the page is written (default: the model's name with .html, beside it)")
    .option('--text <file...>', "held-out text for the coloured excerpt and the gradient reach (default: the model's validation split)", [])
    .addOption(cliOption(TRAIN_OPTIONS.seed, { help: "the samples' seed (default: random, shown on the page)" }))
    .addHelpText('after', `
The page needs no network and no server: open it from disk, or mail it. Its sampler runs the model
in the browser with rnn's own engine (WebAssembly where the browser has it): the same seed and
settings write exactly what \`rnn sample\` prints.`)
    .action(async (positional: string | undefined, flags: ReportFlags) => {
      const model = chooseModel(flags.model, positional);
      const output = flags.output ?? withExtension(model, '.html');
      if (existsSync(output) && looksLikeModel(output)) {
        throw new RnnError(`${output} is a model file: the report will not replace it`, {
          expected: 'a path for the HTML page', got: `the model ${output}`, hint: 'choose another --output, e.g. report.html', kind: 'usage',
        });
      }
      assertWritable(output, '--output');
      const r = await buildReport(model, { files: flags.text, seed: flags.seed, generator: `rnn ${version}` });
      writeFileAtomic(output, r.html);
      info(`report: ${displayPath(output)} (${Math.ceil(r.html.length / 1024)} kB; samples with seed ${r.seed})`);
    });
}
