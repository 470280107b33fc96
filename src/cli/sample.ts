import { Option, type Command } from 'commander';
import { loadModel } from '../api/load.js';
import { RnnError } from '../errors.js';
import { sampleStream } from '../sample/sample.js';
import { info, printJson, warn } from './output.js';
import { int, num, positive } from './parse.js';

interface SampleFlags {
  model: string;
  length?: number;
  count?: number;
  temperature: number;
  topK?: number;
  topP?: number;
  argmax: boolean;
  prime?: string;
  seed?: number;
  json: boolean;
}

export function sampleCommand(program: Command): void {
  program
    .command('sample')
    .description('generate text from a model, streamed to stdout')
    .option('-m, --model <path>', 'model file', 'model.json')
    .addOption(new Option('-n, --length <N>', 'characters to generate (default 500)').argParser(int('--length', 0)))
    .addOption(new Option('--count <K>', 'generate K sequences, each ending at <EOS>').argParser(int('--count', 1)))
    .addOption(new Option('-t, --temperature <t>', 'softmax temperature').argParser(positive('--temperature')).default(1))
    .addOption(new Option('--top-k <k>', 'sample only among the k most probable').argParser(int('--top-k', 1)))
    .addOption(new Option('--top-p <p>', 'sample only among the most probable with total mass p').argParser(num('--top-p', (n) => n > 0 && n <= 1, 'a number in (0, 1]')))
    .option('--argmax', 'always take the most probable character', false)
    .option('--prime <text>', 'text to start from')
    .addOption(new Option('--seed <n>', 'random seed (same seed, same text)').argParser(int('--seed', 0, 0xffffffff)))
    .option('--json', 'print one JSON object with the text and settings instead of streaming', false)
    .action(async (flags: SampleFlags) => {
      const loaded = await loadModel(flags.model);
      try {
        if (loaded.model.config.bidirectional) {
          throw new RnnError('cannot sample from a bidirectional model', {
            expected: 'a left-to-right model', got: `${flags.model} (bidirectional, trained for infilling)`,
            hint: 'use `rnn fill` with this model, or train one without --bidirectional for sampling',
          });
        }
        const run = sampleStream(loaded.model, loaded.vocab, {
          length: flags.length, count: flags.count, temperature: flags.temperature, topK: flags.topK, topP: flags.topP,
          argmax: flags.argmax, prime: flags.prime, seed: flags.seed,
        });
        for (const w of run.warnings) warn(w);
        if (flags.json) {
          let text = '';
          for (const chunk of run) text += chunk;
          printJson({ text, seed: run.seed, ...run.stats, unknownInPrime: run.unknownInPrime });
          return;
        }
        let pending = '';
        for (const chunk of run) {
          pending += chunk;
          if (pending.length >= 64 || chunk.includes('\n')) {
            process.stdout.write(pending);
            pending = '';
          }
        }
        process.stdout.write(pending.endsWith('\n') ? pending : `${pending}\n`);
        if (flags.seed === undefined) info(`(seed ${run.seed}; pass --seed ${run.seed} to repeat)`);
      } finally {
        loaded.close();
      }
    });
}
