import { Option, type Command } from 'commander';
import { loadModel } from '../api/load.js';
import { RnnError } from '../errors.js';
import { score } from '../eval/score.js';
import { fmt, printJson, warn } from './output.js';
import { choice } from './parse.js';
import { readTextFile } from './read-text.js';

interface ScoreFlags {
  model: string;
  file?: string;
  sort: 'total' | 'mean';
  json: boolean;
}

function readLines(path: string): string[] {
  return readTextFile(path, '--file').split(/\r?\n/).filter((l) => l.length > 0);
}

export function scoreCommand(program: Command): void {
  program
    .command('score')
    .description('log-probability of each line under the model, best first')
    .argument('[text...]', 'sentences to score (or --file)')
    .option('-m, --model <path>', 'model file', 'model.json')
    .option('-f, --file <path>', 'score each non-empty line of this file ("-" for stdin)')
    .addOption(new Option('--sort <by>', 'rank by total log-probability or per-character mean').argParser(choice('--sort', ['total', 'mean'] as const)).default('total'))
    .option('--json', 'machine-readable result on stdout', false)
    .action(async (texts: string[], flags: ScoreFlags) => {
      const lines = [...texts, ...(flags.file ? readLines(flags.file) : [])];
      if (lines.length === 0) {
        throw new RnnError('nothing to score', { hint: 'give sentences as arguments, e.g. rnn score "The apple and pear salad.", or --file lines.txt', kind: 'usage' });
      }
      const loaded = await loadModel(flags.model);
      try {
        const results = score(loaded.model, loaded.vocab, lines, { sortBy: flags.sort });
        const unknown = results.reduce((s, r) => s + r.unknown, 0);
        if (unknown > 0) warn(`${unknown} character(s) are not in the model's vocabulary and were scored as <UNK>`);
        if (flags.json) {
          printJson(results);
          return;
        }
        for (const [rank, r] of results.entries()) {
          process.stdout.write(`${String(rank + 1).padStart(3)}  ${fmt(r.logProb, 3).padStart(10)}  ${fmt(r.meanNats, 4)} nats/char  ${r.text}\n`);
        }
      } finally {
        loaded.close();
      }
    });
}
