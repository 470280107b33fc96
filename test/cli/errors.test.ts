import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, rnn, tempDir } from './run.ts';

describe('bad input gets a one-line error, never a stack trace', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, 'empty.txt'), '');
    writeFileSync(join(dir, 'binary.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0, 0, 0xff, 0xfe]));
    writeFileSync(join(dir, 'bad-utf8.txt'), Buffer.concat([Buffer.from('hello '), Buffer.from([0xc3, 0x28]), Buffer.from(' world\n')]));
    mkdirSync(join(dir, 'adir'));
    writeFileSync(join(dir, 'corrupt.json'), '{"format": "rnn-model", "version": 1, "config": ');
    writeFileSync(join(dir, 'notjson.json'), 'hello');
  });

  const cases: [string, string[], number, RegExp][] = [
    ['a missing corpus', ['train', 'nope.txt'], 1, /not found/],
    ['an empty corpus', ['train', 'empty.txt'], 1, /empty/],
    ['a directory as corpus', ['train', 'adir'], 1, /director/],
    ['a binary corpus', ['train', 'binary.bin'], 1, /binary/],
    ['invalid UTF-8', ['train', 'bad-utf8.txt'], 1, /UTF-8.*(offset|byte) 6|byte 6|offset 6/],
    ['a missing model', ['sample', '--model', 'nope.json'], 1, /nope\.json/],
    ['a truncated model', ['sample', '--model', 'corrupt.json'], 1, /corrupt\.json/],
    ['a model that is not JSON', ['info', '--model', 'notjson.json'], 1, /notjson\.json/],
    ['--hidden -3', ['train', '--hidden', '-3'], 2, /--hidden/],
    ['--hidden abc', ['train', '--hidden', 'abc'], 2, /--hidden/],
    ['--lr 0', ['train', '--lr', '0'], 2, /--lr/],
    ['--cell foo', ['train', '--cell', 'foo'], 2, /--cell/],
    ['--temperature 0', ['sample', '--temperature', '0'], 2, /--temperature/],
    ['--max-time soon', ['train', '--max-time', 'soon'], 2, /--max-time/],
    ['--peephole on a gru', ['train', '--cell', 'gru', '--peephole', '--steps', '1'], 2, /--peephole/],
    ['--layer-norm on a gru', ['train', '--cell', 'gru', '--layer-norm', '--steps', '1'], 2, /--layer-norm does not apply to --cell gru/],
    ['--layer-norm with --peephole', ['train', '--layer-norm', '--peephole', '--steps', '1'], 2, /--layer-norm does not combine with --peephole/],
    ['an output directory that does not exist', ['train', '--output', 'no/such/dir/m.json', '--steps', '1'], 2, /--output|no\/such/],
    ['--output equal to --checkpoint', ['train', '--output', 'same.json', '--checkpoint', 'same.json', '--steps', '1'], 2, /--output would overwrite the checkpoint/],
    ['--output equal to the corpus', ['train', 'empty.txt', '--output', 'empty.txt', '--steps', '1'], 2, /--output would overwrite the corpus/],
    ['--resume with other options', ['train', '--resume', 'x.ckpt.json', '--lr', '0.1'], 2, /--resume takes its options from the checkpoint.*--lr/],
    ['gradcheck --cell gru --peephole', ['gradcheck', '--cell', 'gru', '--peephole'], 2, /--peephole/],
  ];

  for (const [what, args, code, pattern] of cases) {
    it(what, () => {
      const r = rnn(args, { cwd: dir });
      expectCleanError(r);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(pattern);
      expect(r.stdout).toBe('');
    });
  }

  it('an unknown option is a usage error (exit 2)', () => {
    const r = rnn(['train', '--frobnicate'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('--help exits 0 and lists the options', () => {
    const r = rnn(['train', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--seq-length/);
  });
});
