/**
 * Attack 1c: a matrix of invalid option values for every command. Each must be a usage error
 * (exit 2) whose message names the option. Values refused by the option parsers are checked
 * in-process on the real commander program (actions replaced by a tripwire, so nothing runs);
 * one value per option, and every check made after parsing (cross-option rules, --max-time,
 * --length with --count), go through the binary.
 */
import { Command, CommanderError } from 'commander';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';
import { RnnError } from '../../src/errors.ts';
import { pool, spawnRnn, trainTiny } from './helpers.ts';

type Case = [command: string[], option: string, values: string[]];

const BAD_INT = ['0', '-1', '1.5', 'abc', '', '1e3', '0x10', 'NaN', '9007199254740993'];

const matrix: Case[] = [
  [['train'], '--cell', ['foo', 'LSTM', '']],
  [['train'], '--hidden', [...BAD_INT, '65537']],
  [['train'], '--layers', [...BAD_INT, '65']],
  [['train'], '--dropout', ['1', '-0.1', 'NaN', 'x', '']],
  [['train'], '--activation', ['sigmoid', '']],
  [['train'], '--eos', ['lines', 'newline', '']],
  [['train'], '--min-count', BAD_INT],
  [['train'], '--max-vocab', ['2', '0', '-5', 'x', '3.5']],
  [['train'], '--val-fraction', ['1', '-0.5', '2', 'x', 'Infinity']],
  [['train'], '--seq-length', [...BAD_INT, '100001']],
  [['train'], '--batch-size', [...BAD_INT, '65537']],
  [['train'], '--optimizer', ['adamw', 'SGD', '']],
  [['train'], '--lr', ['0', '-1', 'Infinity', 'NaN', 'x', '']],
  [['train'], '--lr-decay', ['0', '1.5', '-1', 'x']],
  [['train'], '--weight-decay', ['-0.1', 'x', 'NaN', 'Infinity', '']],
  [['train'], '--lr-schedule', ['linear', '']],
  [['train'], '--lr-decay-every', BAD_INT],
  [['train'], '--lr-decay-start', ['-1', 'x', '2.5']],
  [['train'], '--clip', ['-1', 'x', 'NaN', '']],
  [['train'], '--clip-mode', ['l2', '']],
  [['train'], '--epochs', [...BAD_INT, 'None']],
  [['train'], '--steps', BAD_INT],
  [['train'], '--patience', [...BAD_INT, 'never']],
  [['train'], '--seed', ['-1', '4294967296', 'x', '1.5']],
  [['train'], '--checkpoint-every', BAD_INT],
  [['train'], '--eval-every', BAD_INT],
  [['train'], '--sample-every', ['-1', 'x', '2.5']],
  [['train'], '--threads', ['-1', '257', 'x', '1.5']],
  [['sample'], '--length', ['-1', 'x', '1.5']],
  [['sample'], '--count', ['0', '-1', 'x']],
  [['sample'], '--temperature', ['0', '-1', 'Infinity', 'x', '']],
  [['sample'], '--top-k', ['0', '-1', 'x']],
  [['sample'], '--top-p', ['0', '1.5', '-0.1', 'x']],
  [['sample'], '--seed', ['-1', '4294967296', 'x']],
  [['eval', 'perplexity'], '--batch-size', ['0', '4097', 'x']],
  [['eval', 'perplexity'], '--seq-length', ['0', '100001', 'x']],
  [['score'], '--sort', ['best', '']],
  [['gradcheck'], '--batch', ['0', '65', 'x']],
  [['gradcheck'], '--seq-length', ['0', '65', 'x']],
  [['gradcheck'], '--vocab', ['1', '257', 'x']],
  [['gradcheck'], '--seed', ['-1', 'x']],
  [['gradcheck'], '--hidden', ['0', 'x']],
  [['gradcheck'], '--layers', ['0', 'x']],
  [['gradcheck'], '--cell', ['lstmx']],
  [['gradcheck'], '--dropout', ['1', 'x']],
];

/** The real program, silent, with every action replaced by a tripwire. */
function program(): { program: Command; accepted: () => boolean } {
  const p = buildProgram();
  let ran = false;
  const walk = (c: Command) => {
    c.configureOutput({ writeErr: () => {}, writeOut: () => {} });
    c.exitOverride();
    if (c.commands.length === 0) c.action(() => void (ran = true));
    c.commands.forEach(walk);
  };
  walk(p);
  return { program: p, accepted: () => ran };
}

describe('invalid option values are usage errors naming the option', () => {
  for (const [command, option, values] of matrix) {
    it(`${command.join(' ')} ${option} ${values.map((v) => JSON.stringify(v)).join(' ')}`, async () => {
      for (const value of values) {
        const { program: p, accepted } = program();
        let err: unknown = null;
        try {
          await p.parseAsync(['node', 'rnn', ...command, `${option}=${value}`]);
        } catch (e) {
          err = e;
        }
        const what = `${command.join(' ')} ${option}=${JSON.stringify(value)}`;
        expect(accepted(), `${what} was accepted`).toBe(false);
        if (err instanceof RnnError) {
          expect(err.kind, what).toBe('usage');
          expect(err.message, what).toContain(option);
        } else {
          expect(err, `${what}: ${String(err)}`).toBeInstanceOf(CommanderError);
          expect((err as CommanderError).exitCode).not.toBe(0);
          expect((err as CommanderError).message, what).toContain(option);
        }
      }
    });
  }
  it('an option with its value missing is a usage error naming it (every command)', async () => {
    for (const command of [['train'], ['sample'], ['eval', 'perplexity'], ['score'], ['info'], ['gradcheck']]) {
      const option = command[0] === 'train' || command[0] === 'gradcheck' ? '--hidden' : '--model';
      const { program: p } = program();
      await expect(p.parseAsync(['node', 'rnn', ...command, option])).rejects.toThrow(new RegExp(option));
    }
  });
});

describe('through the binary: exit 2 and a message naming the option', () => {
  let dir: string;
  beforeAll(() => {
    const t = trainTiny();
    dir = t.dir;
    copyFileSync(t.model, join(dir, 'model.json'));
  });

  // One value per option from the matrix, plus the rules checked after parsing.
  const cases: [string[], string][] = [
    // The parsers are covered in-process above; here one option per command shows the exit code.
    [['train', '--hidden', 'abc'], '--hidden'],
    [['train', '--lr', '0'], '--lr'],
    [['sample', '--temperature', '0'], '--temperature'],
    [['sample', '--top-p', '1.5'], '--top-p'],
    [['eval', 'perplexity', '--batch-size', '0'], '--batch-size'],
    [['score', '--sort', 'best'], '--sort'],
    [['gradcheck', '--vocab', '1'], '--vocab'],
    [['info', '--model'], '--model'],
    [['train', 'corpus.txt', '--steps', '1', '--max-time', 'soon'], '--max-time'],
    [['train', 'corpus.txt', '--steps', '1', '--max-time', '0'], '--max-time'],
    [['train', 'corpus.txt', '--steps', '1', '--max-time', '-5m'], '--max-time'],
    [['train', 'corpus.txt', '--steps', '1', '--cell', 'gru', '--peephole'], '--peephole'],
    [['train', 'corpus.txt', '--steps', '1', '--cell', 'lstm', '--minimal'], '--minimal'],
    [['train', 'corpus.txt', '--steps', '1', '--cell', 'gru', '--minimal', '--reset-after'], '--minimal'],
    [['train', 'corpus.txt', '--steps', '1', '--cell', 'lstm', '--activation', 'relu'], '--activation'],
    [['sample', '--length', '5', '--count', '2'], '--count'],
    [['info', '--bogus'], '--bogus'],
    [['score', '--sort'], '--sort'],
  ];

  it(`${cases.length} invalid command lines: each exits 2, names the option, prints nothing on stdout`, async () => {
    const results = await pool(cases.map(([args, option]) => async () => ({ args, option, r: await spawnRnn([...args, '--quiet'].filter((a) => !(a === '--quiet' && args[0] !== 'train')), { cwd: dir }).exited })), 2);
    const wrong = results.filter(({ option, r }) => r.code !== 2 || !r.stderr.includes(option) || r.stdout !== '' || /\n\s+at .+:\d+:\d+/.test(r.stderr));
    expect(wrong.map(({ args, r }) => `${args.join(' ')} → exit ${r.code}: ${r.stderr.trim()}`)).toEqual([]);
  });
});
