import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, rnn, tempDir } from './run.js';

// Small and quick, but with dropout and a carried state, so that an inexact resume would show.
const ARGS = ['--hidden', '16', '--layers', '2', '--dropout', '0.1', '--batch-size', '4', '--seq-length', '12',
  '--steps', '120', '--eval-every', '20', '--checkpoint-every', '10', '--seed', '3', '--threads', '1', '--output', 'm.json', '--quiet'];

function checkpointStep(path: string): number {
  try {
    return JSON.parse(readFileSync(path, 'utf8')).training.steps;
  } catch {
    return -1; // not there yet (writes are atomic, so never half-written)
  }
}

/** Start training, wait for a checkpoint at or past `atStep`, then send `signal`. */
async function trainAndKill(dir: string, corpus: string, atStep: number, signal: NodeJS.Signals): Promise<number | null> {
  const child = spawn(process.execPath, [BIN, 'train', corpus, ...ARGS], { cwd: dir, stdio: 'ignore' });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const ckpt = join(dir, 'm.ckpt.json');
  while (checkpointStep(ckpt) < atStep && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill(signal);
  return exited;
}

describe('exact resume', () => {
  let corpus: string;
  let reference: Buffer;

  beforeAll(() => {
    const base = tempDir();
    corpus = join(base, 'corpus.txt');
    writeFileSync(corpus, readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt'), 'utf8').slice(0, 30_000));
    const dir = tempDir();
    const r = rnn(['train', corpus, ...ARGS], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    reference = readFileSync(join(dir, 'm.json'));
  });

  for (const signal of ['SIGKILL', 'SIGINT'] as const) {
    it(`after ${signal}, resuming gives the same model, byte for byte`, async () => {
      const dir = tempDir();
      const code = await trainAndKill(dir, corpus, 30, signal);
      if (signal === 'SIGINT') expect(code).toBe(130);
      const stoppedAt = checkpointStep(join(dir, 'm.ckpt.json'));
      expect(stoppedAt).toBeGreaterThanOrEqual(30);
      expect(stoppedAt).toBeLessThan(120);
      const r = rnn(['train', '--resume', 'm.ckpt.json', '--quiet'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(join(dir, 'm.json'))).toBe(true);
      expect(readFileSync(join(dir, 'm.json')).equals(reference)).toBe(true);
    });
  }
});
