import type { Command } from 'commander';
import { loadModel } from '../api/load.js';
import { RnnError } from '../errors.js';
import { score } from '../eval/score.js';
import { chooseModel, MODEL_OPTION, refuseModelsAsTexts } from './model-arg.js';
import { fmt, out, printJson, warn } from './output.js';
import { SCORE_OPTIONS } from '../options.js';
import { cliOption } from './options.js';
import { readTexts } from './read-text.js';

interface ScoreFlags {
  model?: string;
  file?: string;
  sort: 'total' | 'mean';
  json: boolean;
}

export function scoreCommand(program: Command): void {
  program
    .command('score')
    .description('log-probability of each text under the model, most probable first')
    .argument('[text...]', 'texts to score (or --file)')
    .option(...MODEL_OPTION)
    .option('-f, --file <path>', 'score each line of this file (each paragraph, for a model trained with --eos paragraph; "-" for stdin)')
    .addOption(cliOption(SCORE_OPTIONS.sort))
    .option('--json', 'machine-readable result on stdout', false)
    .addHelpText('after', `
Each text is scored as one sequence of the model: it starts from a zero state after <EOS>, as a
sequence starts in training. Its log-probability is the sum of ln p of each character given the
characters before it and, for a model with sequence ends (--eos line or paragraph), of the <EOS>
that ends it; nats/char is minus that sum over those tokens. Higher (closer to 0) is more probable.`)
    .action(async (texts: string[], flags: ScoreFlags) => {
      refuseModelsAsTexts(texts, false);
      if (texts.length === 0 && flags.file === undefined) {
        throw new RnnError('nothing to score', { hint: 'give texts as arguments, e.g. rnn score "The apple and pear salad.", or --file lines.txt', kind: 'usage' });
      }
      const loaded = await loadModel(chooseModel(flags.model));
      try {
        const lines = [...texts, ...(flags.file ? readTexts(flags.file, '--file', loaded.vocab.eos) : [])];
        if (lines.length === 0) throw new RnnError(`nothing to score in ${flags.file}`, { expected: 'at least one non-empty line', kind: 'usage' });
        const results = score(loaded.model, loaded.vocab, lines, { sortBy: flags.sort });
        const unknown = results.reduce((s, r) => s + r.unknown, 0);
        if (unknown > 0) warn(`${unknown} character(s) are not in the model's vocabulary and were scored as <UNK>`);
        if (flags.json) {
          printJson(results);
          return;
        }
        for (const [rank, r] of results.entries()) {
          out(`${String(rank + 1).padStart(3)}  ${fmt(r.logProb, 3).padStart(10)}  ${fmt(r.meanNats, 4)} nats/char  ${r.text}\n`);
        }
      } finally {
        loaded.close();
      }
    });
}
