/**
 * Issue 12, items 5–7, 9, 10, 13–15 and 20: options that used to crash, do nothing or surprise.
 */
import chalk from 'chalk';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../src/api/train.ts';
import { configureColor, interactive } from '../../src/cli/streams.ts';
import { RnnError } from '../../src/errors.ts';
import { loadModelFile } from '../../src/model-io/index.ts';
import { expectCleanError, rnn, smallCorpus, tempDir } from '../reliability/helpers.ts';

const TINY = ['--hidden', '8', '--layers', '1', '--batch-size', '4', '--seq-length', '12', '--threads', '1', '--seed', '1'];

let dir: string;
beforeAll(() => {
  dir = tempDir();
  smallCorpus(dir, 6_000, 'c.txt');
  const r = rnn(['train', 'c.txt', ...TINY, '--steps', '10', '--quiet'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
});

const paramsHash = (path: string): string => {
  const h = createHash('sha256');
  for (const t of Object.values(loadModelFile(path).params)) h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return h.digest('hex');
};

describe('#12.5 a model too big for memory is refused before training, with the figures', () => {
  for (const args of [['--hidden', '8192'], ['--hidden', '4096', '--layers', '2']]) {
    it(args.join(' '), () => {
      const r = rnn(['train', 'c.txt', ...args, '--steps', '1', '-o', 'big.json'], { cwd: dir });
      expectCleanError(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/does not fit in memory.*expected at most 2\.1 GB.*got \d+\.\d GB needed/);
      const largest = Number(/the largest --hidden that fits with these options is (\d+)/.exec(r.stderr)?.[1]);
      expect(largest).toBeGreaterThan(500);
      expect(largest).toBeLessThan(Number(args[1]));
    });
  }

  it('with the width left to the recipe, a block no width fits is refused the same way (nothing allocated to time it)', () => {
    // the bundled tinyshakespeare: enough text for the block
    const r = rnn(['train', '--batch-size', '512', '--seq-length', '1024', '--max-time', '1m', '-o', 'big.json'], { cwd: dir });
    expectCleanError(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not fit in memory: 2×64 lstm, 512 streams × 1024 steps.*got \d+\.\d GB needed/);
    expect(r.stderr).toMatch(/the largest --hidden that fits with these options is \d+/);
  });
});

describe('#12.6 a vocabulary that --min-count or --max-vocab empties', () => {
  it('--min-count above every count is refused before training', () => {
    const r = rnn(['train', 'c.txt', ...TINY, '--steps', '1', '--min-count', '100000', '-o', 'x.json'], { cwd: dir });
    expectCleanError(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no character occurs --min-count 100000 times/);
    expect(r.stderr).toMatch(/the most frequent character, " ", occurs \d+ times/);
  });

  it('--max-vocab 3 (one character left) warns how much of the text becomes <UNK>', () => {
    const r = rnn(['train', 'c.txt', ...TINY, '--steps', '1', '--max-vocab', '3', '-o', 'v3.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --max-vocab 3 keeps 1 character: [\d,]+ of the corpus's [\d,]+ \(\d+\.\d%\) become <UNK>/);
  });
});

describe('#12.7 --dropout on a one-layer model', () => {
  it('changes the training (dropout before the output layer), and info says where', () => {
    for (const p of ['0', '0.5']) {
      const r = rnn(['train', 'c.txt', ...TINY, '--steps', '5', '--dropout', p, '-o', `d${p}.json`, '--quiet'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    }
    expect(paramsHash(join(dir, 'd0.5.json'))).not.toBe(paramsHash(join(dir, 'd0.json')));
    expect(rnn(['info', 'd0.5.json'], { cwd: dir }).stdout).toMatch(/1 × 8 hidden, dropout 0\.5 before the output layer/);
  });
});

describe('#12.9 threads and terminals', () => {
  it('--threads beyond the cores is capped, with a warning', () => {
    const r = rnn(['train', 'c.txt', '--hidden', '8', '--layers', '1', '--seed', '1', '--threads', '64', '--steps', '1', '-o', 't.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`--threads 64 is more than this machine's ${availableParallelism()} cores: using ${availableParallelism()}`);
  });

  const saved = { isTTY: process.stderr.isTTY, TERM: process.env.TERM, CI: process.env.CI };
  afterEach(() => {
    process.stderr.isTTY = saved.isTTY;
    for (const k of ['TERM', 'CI'] as const) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('a TTY with TERM=dumb or CI set is not interactive: progress falls back to plain lines', () => {
    process.stderr.isTTY = true;
    delete process.env.CI;
    process.env.TERM = 'xterm-256color';
    expect(interactive('stderr')).toBe(true);
    process.env.TERM = 'dumb';
    expect(interactive('stderr')).toBe(false);
    process.env.TERM = 'xterm-256color';
    process.env.CI = '1';
    expect(interactive('stderr')).toBe(false);
  });
});

describe('#12.10 colour follows NO_COLOR and --no-color', () => {
  const level = chalk.level;
  const env = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
  afterEach(() => {
    chalk.level = level;
    for (const k of ['NO_COLOR', 'FORCE_COLOR'] as const) {
      if (env[k] === undefined) delete process.env[k];
      else process.env[k] = env[k];
    }
  });

  it('NO_COLOR=1 turns colour off; so does --no-color', () => {
    delete process.env.FORCE_COLOR;
    process.env.NO_COLOR = '1';
    chalk.level = 3;
    configureColor(['node', 'rnn', 'info']);
    expect(chalk.level).toBe(0);
    delete process.env.NO_COLOR;
    chalk.level = 3;
    configureColor(['node', 'rnn', 'info', '--no-color']);
    expect(chalk.level).toBe(0);
  });

  it('--no-color is an option of every command, not an unknown one', () => {
    const r = rnn(['info', 'c.json', '--no-color'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('#12.13 positional models and sampling options', () => {
  it('a model among the texts of eval, score or fill is named as such', () => {
    for (const args of [['eval', 'perplexity', 'c.json'], ['score', 'c.json', 'some text'], ['fill', 'c.json']]) {
      const r = rnn(args, { cwd: dir });
      expectCleanError(r);
      expect(r.stderr).toMatch(/c\.json is a model file, not a text/);
      expect(r.stderr).toMatch(/--model c\.json/);
    }
  });

  it('-t 0 points to --argmax', () => {
    const r = rnn(['sample', 'c.json', '-t', '0'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/hint: .*--argmax/);
  });

  it('--argmax with -t, --top-k or --top-p is refused; alone it prints no seed', () => {
    for (const extra of [['-t', '0.5'], ['--top-k', '3'], ['--top-p', '0.9']]) {
      const r = rnn(['sample', 'c.json', '--argmax', ...extra], { cwd: dir });
      expectCleanError(r);
      expect(r.stderr).toMatch(/--argmax takes the most probable character/);
    }
    const r = rnn(['sample', 'c.json', '--argmax', '-n', '20'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/seed/);
  });
});

describe('#12.14 the library refuses options it does not know', () => {
  it('train({ hidden: 32 }) is an error that points to `model`', async () => {
    const call = train({ corpus: [join(dir, 'c.txt')], hidden: 32, layers: 1 } as never);
    await expect(call).rejects.toThrow(RnnError);
    await expect(call).rejects.toThrow(/unknown training option "hidden"/);
    await expect(call).rejects.toMatchObject({ hint: expect.stringMatching(/model: \{ hidden/) });
  });

  it('so is an unknown model key', async () => {
    await expect(train({ corpus: [join(dir, 'c.txt')], model: { hiden: 32 } } as never)).rejects.toThrow(/unknown training option "model\.hiden"/);
  });
});

describe('#12.15 hints that fit the command', () => {
  it('eval on a missing file does not talk about training', () => {
    const r = rnn(['eval', 'perplexity', '--model', 'c.json', 'nosuch.txt'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/text file not found: nosuch\.txt/);
    expect(r.stderr).not.toMatch(/rnn train/);
  });

  it('--resume of a missing file talks about --resume', () => {
    const r = rnn(['train', '--resume', 'nosuch.json'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/--resume/);
    expect(r.stderr).not.toMatch(/--model/);
  });

  it('--minimal --reset-after says that they exclude each other', () => {
    const r = rnn(['train', 'c.txt', '--cell', 'gru', '--minimal', '--reset-after'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/--minimal and --reset-after exclude each other/);
  });

  it('a --seq-length longer than the streams is named as such, not as a short text', () => {
    const r = rnn(['train', 'c.txt', ...TINY, '--seq-length', '5000', '--steps', '1', '-o', 's.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--seq-length 5000 is longer than each of the 4 streams \([\d,]+ tokens\): using --seq-length \d+/);
    expect(r.stderr).not.toMatch(/short/);
  });

  it('--help shows no default that is refused, and no default twice', () => {
    expect(rnn(['fill', '--help']).stdout).not.toMatch(/--samples[^\n]*default: 0/);
    const threads = rnn(['train', '--help']).stdout.split('\n').filter((l) => l.includes('--threads'));
    expect(threads.join('\n').match(/default/g)?.length).toBe(1);
  });
});

describe('#12.20 no internal jargon in what a user reads', () => {
  it('help texts cite no outside document', () => {
    for (const cmd of [[], ['train'], ['sample'], ['eval', 'perplexity'], ['score'], ['fill'], ['gradcheck'], ['info'], ['bench']]) {
      const help = rnn([...cmd, '--help']).stdout;
      expect(help, cmd.join(' ')).not.toMatch(/SPEC|the notes/);
    }
  });

  it('the bench defines its configurations', () => {
    expect(rnn(['bench', '--help']).stdout).toMatch(/C1 +rnn tanh 100 × 1/);
  });

  it('the training header rounds the learning rate and names the kernels in words', () => {
    const r = rnn(['train', 'c.txt', '--hidden', '192', '--layers', '1', '--steps', '1', '--batch-size', '2', '--seq-length', '4', '-o', 'h.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/adam lr 0\.00667,/);
    expect(r.stderr).toMatch(/native (AVX-512|AVX2|NEON|SSE2)|WebAssembly SIMD|TypeScript reference/);
    expect(r.stderr).not.toMatch(/wasm-|0\.00666666/);
  });
});
