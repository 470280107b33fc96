/**
 * Attack 3a (the slow group, ~30 s): a 200 MB corpus, generated on the fly, trains a few steps
 * through the binary with peak resident memory under 1 GB (compact token storage: one byte per
 * token for a small vocabulary, no per-character objects, no full-size copies).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model-io/index.ts';
import { BIN, rnn, SHAKESPEARE, spawnRnn, tempDir } from './helpers.ts';

const TARGET = 200 * 2 ** 20;
const TIME = '/usr/bin/time';

describe('a 200 MB corpus', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    const chunk = readFileSync(SHAKESPEARE);
    const path = join(dir, 'big.txt');
    writeFileSync(path, '');
    const block = Buffer.concat(Array.from({ length: 16 }, () => chunk));
    while (statSync(path).size < TARGET) appendFileSync(path, block);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains 3 steps with peak RSS under 1 GB; the model loads and samples', async () => {
    const args = ['train', 'big.txt', '--steps', '3', '--hidden', '16', '--layers', '1', '--seed', '1', '--output', 'big.json', '--quiet'];
    let peakKb: number;
    let code: number | null;
    let stderr: string;
    if (existsSync(TIME)) {
      // GNU time reports the child's maximum resident set size exactly (kB).
      const child = spawn(TIME, ['-f', 'maxrss=%M', process.execPath, BIN, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
      code = await new Promise<number | null>((res) => child.on('close', res));
      stderr = err;
      peakKb = Number(/maxrss=(\d+)/.exec(err)?.[1] ?? NaN);
    } else {
      // Otherwise poll the kernel's high-water mark, VmHWM, in /proc/PID/status.
      const r = await spawnRnn(args, { cwd: dir, pollRss: true }).exited;
      ({ code, stderr, peakKb } = r);
    }
    expect(code, stderr).toBe(0);
    console.log(`200 MB corpus, 3 steps: peak RSS ${(peakKb / 1024).toFixed(0)} MB`);
    expect(peakKb).toBeGreaterThan(200 * 1024); // the corpus really was read
    expect(peakKb).toBeLessThan(1024 * 1024);
    const file = loadModelFile(join(dir, 'big.json'));
    expect(file.training.corpus.bytes).toBeGreaterThanOrEqual(TARGET);
    expect(file.training.steps).toBe(3);
    const s = rnn(['sample', '--model', 'big.json', '--length', '40', '--seed', '1'], { cwd: dir });
    expect(s.code, s.stderr).toBe(0);
    expect([...s.stdout.trimEnd()].length).toBeGreaterThanOrEqual(30);
  }, 180_000);
});
