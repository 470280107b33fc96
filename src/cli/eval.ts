import { Option, type Command } from 'commander';
import { loadModel } from '../api/load.js';
import { evaluateFiles } from '../api/evaluate.js';
import { fmt, info, printJson } from './output.js';
import { int } from './parse.js';

interface EvalFlags {
  model: string;
  batchSize: number;
  seqLength: number;
  json: boolean;
}

export function evalCommand(program: Command): void {
  const evalCmd = program.command('eval').description('measure a model');
  evalCmd
    .command('perplexity')
    .description("nats/char, bits/char and perplexity on text files (default: the model's validation split)")
    .argument('[file...]', 'UTF-8 text files ("-" for stdin)')
    .option('-m, --model <path>', 'model file', 'model.json')
    .addOption(new Option('--batch-size <B>', 'parallel streams: faster, but each starts from a zero state (1 gives the exact figure)').argParser(int('--batch-size', 1, 4096)).default(16))
    .addOption(new Option('--seq-length <T>', 'steps per block').argParser(int('--seq-length', 1, 100000)).default(128))
    .option('--json', 'machine-readable result on stdout', false)
    .action(async (files: string[], flags: EvalFlags) => {
      const loaded = await loadModel(flags.model);
      try {
        const r = await evaluateFiles(loaded, files, { batch: flags.batchSize, seqLength: flags.seqLength });
        if (flags.json) {
          printJson(r);
          return;
        }
        info(`${r.source}${r.infill ? ' — infill perplexity (each character predicted from both sides)' : ''}`);
        process.stdout.write(
          `tokens      ${r.tokens}\nnats/char   ${fmt(r.nats)}\nbits/char   ${fmt(r.bits)}\nperplexity  ${fmt(r.perplexity, 3)}\nunknown     ${r.unknown}\n`,
        );
      } finally {
        loaded.close();
      }
    });
}
