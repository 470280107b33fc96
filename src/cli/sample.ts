import { Option, type Command } from 'commander';
import { loadModel } from '../api/load.js';
import { checkSampleOptions, sampleStream, type SampleOptions } from '../sample/sample.js';
import { chooseModel, MODEL_OPTION } from './model-arg.js';
import { info, printJson, warn } from './output.js';
import { int, num, positive } from './parse.js';
import { writeOut } from './streams.js';

interface SampleFlags {
  model?: string;
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

/** Text is written in pieces of about this many characters (or at a newline). */
const CHUNK = 64;

export function sampleCommand(program: Command): void {
  program
    .command('sample')
    .description('generate text from a model, streamed to stdout')
    .argument('[model]', 'model file (the same as --model)')
    .option(...MODEL_OPTION)
    .addOption(new Option('-n, --length <N>', 'characters to generate (default 500)').argParser(int('--length', 0)))
    .addOption(new Option('--count <K>', 'generate K sequences, each ending at <EOS> (a line, with --eos line)').argParser(int('--count', 1)))
    .addOption(new Option('-t, --temperature <t>', 'softmax temperature').argParser(positive('--temperature', 'for the most probable character every time, use --argmax')).default(1))
    .addOption(new Option('--top-k <k>', 'sample only among the k most probable').argParser(int('--top-k', 1)))
    .addOption(new Option('--top-p <p>', 'sample only among the most probable with total mass p').argParser(num('--top-p', (n) => n > 0 && n <= 1, 'a number in (0, 1]')))
    .option('--argmax', 'always take the most probable character (no randomness)', false)
    .option('--prime <text>', 'text to start from')
    .addOption(new Option('--seed <n>', 'random seed (same seed, same text)').argParser(int('--seed', 0, 0xffffffff)))
    .option('--json', 'print one JSON object with the text and every setting that shaped it instead of streaming', false)
    .action(async (positional: string | undefined, flags: SampleFlags, command: Command) => {
      const given = <T>(name: string, v: T): T | undefined => (command.getOptionValueSource(name) === 'cli' ? v : undefined);
      const options: SampleOptions = {
        length: flags.length, count: flags.count, temperature: given('temperature', flags.temperature), topK: flags.topK, topP: flags.topP,
        argmax: flags.argmax, prime: flags.prime, seed: flags.seed,
      };
      checkSampleOptions(options); // usage errors before the model is read
      const path = chooseModel(flags.model, positional);
      const loaded = await loadModel(path);
      try {
        const run = sampleStream(loaded.model, loaded.vocab, options);
        for (const w of run.warnings) warn(w);
        if (flags.count !== undefined && loaded.vocab.eos === 'none') {
          warn(`${path} was trained with --eos none and has no sequence ends: each of the ${flags.count} sequences stops at ${run.maxSequenceLength.toLocaleString('en-US')} characters (--length gives one stream)`);
        }
        const seed = flags.argmax ? null : run.seed;
        if (flags.json) {
          let text = '';
          for (const chunk of run) text += chunk;
          printJson({
            text, model: path, temperature: flags.argmax ? null : flags.temperature, topK: flags.topK ?? null, topP: flags.topP ?? null,
            argmax: flags.argmax, prime: flags.prime ?? '', seed, ...run.stats, unknownInPrime: run.unknownInPrime,
          });
          return;
        }
        let pending = '';
        let ended = true; // the output so far ends a line (or is empty)
        const flush = async (): Promise<boolean> => {
          if (pending === '') return true;
          ended = pending.endsWith('\n');
          const open = await writeOut(pending);
          pending = '';
          return open;
        };
        for (const chunk of run) {
          pending += chunk;
          if ((pending.length >= CHUNK || chunk.includes('\n')) && !(await flush())) return; // the reader is gone
        }
        if (!(await flush())) return;
        if (!ended) await writeOut('\n');
        if (flags.seed === undefined && seed !== null) info(`(seed ${seed}; pass --seed ${seed} to repeat)`);
      } finally {
        loaded.close();
      }
    });
}
