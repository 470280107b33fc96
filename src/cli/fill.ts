import { Option, type Command } from 'commander';
import { loadModel } from '../api/load.js';
import { RnnError } from '../errors.js';
import { fillText } from '../fill/fill.js';
import { checkGapChar, GAP_CHAR } from '../fill/gaps.js';
import { chooseModel, MODEL_OPTION, refuseModelsAsTexts } from './model-arg.js';
import { info, out, printJson, warn } from './output.js';
import { FILL_OPTIONS } from '../options.js';
import { cliOption } from './options.js';
import { readTextFile } from './read-text.js';

interface FillFlags {
  model?: string;
  file?: string;
  samples?: number;
  temperature: number;
  seed?: number;
  maxSweeps: number;
  gap: string;
  json: boolean;
}

export function fillCommand(program: Command): void {
  program
    .command('fill')
    .description('fill in the missing characters of a text: each `_` is one, a run of `_` a gap of that many; \\_ is a literal _')
    .argument('[text...]', 'the text with gaps, e.g. "To be, or n_t to be" (several words are joined with spaces)')
    .option(MODEL_OPTION[0], `${MODEL_OPTION[1]}; bidirectional: both sides, otherwise the left context only`)
    .option('-f, --file <path>', 'read the text from a file ("-" for stdin) instead of the argument')
    .addOption(cliOption(FILL_OPTIONS.samples))
    .addOption(cliOption(FILL_OPTIONS.temperature))
    .addOption(cliOption(FILL_OPTIONS.seed))
    .addOption(cliOption(FILL_OPTIONS.maxSweeps))
    .addOption(new Option('--gap <C>', 'the character that marks a missing one (\\C is then a literal C)').argParser((c: string) => (checkGapChar(c), c)).default(GAP_CHAR))
    .option('--json', 'one JSON object: the fill, per-gap characters and probabilities, samples', false)
    .action(async (words: string[], flags: FillFlags) => {
      refuseModelsAsTexts(words, false);
      const arg = words.length > 0 ? words.join(' ') : undefined;
      if ((arg === undefined) === (flags.file === undefined)) {
        throw new RnnError('give the text to fill either as an argument or with --file', {
          expected: 'rnn fill "To be, or n_t to be"  or  rnn fill --file text.txt', got: arg === undefined ? 'neither' : 'both', kind: 'usage',
        });
      }
      const text = arg ?? readTextFile(flags.file!, '--file');
      const loaded = await loadModel(chooseModel(flags.model));
      const samples = flags.samples ?? 0;
      try {
        const bi = loaded.model.config.bidirectional;
        if (!bi) warn(`${loaded.path} is a left-to-right model: gaps are filled from the left context only`);
        const r = fillText(loaded.model, loaded.vocab, text, {
          samples, temperature: flags.temperature, seed: flags.seed, maxSweeps: flags.maxSweeps, gap: flags.gap,
        });
        if (r.unknown > 0) warn(`${r.unknown} character(s) of the text are not in the model's vocabulary: read as <UNK>`);
        if (r.gaps.length === 0) warn(`the text has no gaps (mark each missing character with ${flags.gap})`);
        if (bi && !r.converged) warn(`the fill did not settle within ${r.sweeps} sweeps (raise --max-sweeps)`);
        if (flags.json) {
          printJson({ text: r.text, mode: r.mode, gaps: r.gaps, sweeps: r.sweeps, converged: r.converged, unknown: r.unknown, ...(samples > 0 ? { samples: r.samples, temperature: flags.temperature, seed: r.seed } : {}) });
          return;
        }
        const line = (t: string): void => out(t.endsWith('\n') ? t : `${t}\n`);
        if (samples > 0) {
          for (const s of r.samples) line(s.text);
          if (flags.seed === undefined) info(`(seed ${r.seed}; pass --seed ${r.seed} to repeat)`);
        } else {
          line(r.text);
        }
      } finally {
        loaded.close();
      }
    });
}
