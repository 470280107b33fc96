/**
 * Shared pieces of the reliability attacks: a tiny real model trained once through the binary,
 * a seeded source of randomness, async spawning (for kills and concurrent runs) and peak-RSS polling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { RnnError } from '../../src/errors.ts';
import { Rng } from '../../src/util/rng.ts';
import { BIN, expectCleanError, modelWithoutTimes, rnn, tempDir, type Run } from '../cli/run.ts';

export { BIN, expectCleanError, modelWithoutTimes, rnn, tempDir, type Run };

export const SHAKESPEARE = resolve(__dirname, '../../corpora/tinyshakespeare.txt');

/** The first `chars` characters of tinyshakespeare, written to `dir/name`. */
export function smallCorpus(dir: string, chars = 20_000, name = 'corpus.txt'): string {
  const path = join(dir, name);
  writeFileSync(path, readFileSync(SHAKESPEARE, 'utf8').slice(0, chars));
  return path;
}

export const TINY = ['--hidden', '8', '--layers', '1', '--steps', '5', '--seed', '1', '--threads', '1', '--quiet'];

/** Trains the tiny model once; returns its directory, the corpus, the model and its checkpoint. */
export function trainTiny(extra: string[] = []): { dir: string; corpus: string; model: string; ckpt: string } {
  const dir = tempDir();
  const corpus = smallCorpus(dir);
  const r = rnn(['train', corpus, ...TINY, '--output', 'm.json', ...extra], { cwd: dir });
  if (r.code !== 0) throw new Error(`training the tiny model failed: ${r.stderr}`);
  return { dir, corpus, model: join(dir, 'm.json'), ckpt: join(dir, 'm.ckpt.json') };
}

/** A seeded Rng with a few conveniences. */
export class Fuzz {
  readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  int(n: number): number {
    return this.rng.int(n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.rng.int(xs.length)];
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.rng.int(256);
    return b;
  }
  chance(p: number): boolean {
    return this.rng.uniform() < p;
  }
}

/** `fn` must either return or throw an RnnError whose message is one line; anything else fails. */
export async function expectRnnErrorOrOk(fn: () => unknown, what: string): Promise<'ok' | 'error'> {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof RnnError)) {
      throw new Error(`${what}: threw ${(e as Error)?.constructor?.name} instead of RnnError: ${(e as Error)?.stack ?? e}`);
    }
    expectOneLine(e, what);
    return 'error';
  }
}

export function expectOneLine(e: RnnError, what: string): void {
  for (const part of [e.message, e.expected ?? '', e.got ?? '', e.hint ?? '']) {
    if (part.includes('\n')) throw new Error(`${what}: multi-line error text: ${JSON.stringify(part.slice(0, 300))}`);
    if (part.length > 2000) throw new Error(`${what}: error text of ${part.length} characters: ${e.message} / ${part.slice(0, 200)}`);
  }
  expect(e.message.length).toBeGreaterThan(0);
}

export interface Spawned {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string; peakKb: number }>;
}

/**
 * Starts the binary asynchronously. With `pollRss`, /proc/PID/status is read every 50 ms and the
 * peak VmHWM (the kernel's own high-water mark of resident memory) is reported in kB.
 */
export function spawnRnn(args: string[], opts: { cwd?: string; pollRss?: boolean; input?: string } = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  else child.stdin!.end();
  let peakKb = 0;
  const poll = opts.pollRss
    ? setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) peakKb = Math.max(peakKb, Number(m[1]));
        } catch {
          // exited
        }
      }, 50)
    : null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string; peakKb: number }>((res) => {
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      res({ code, signal, stderr, stdout, peakKb });
    });
  });
  return { child, exited };
}

/** Runs `jobs` with at most `limit` at a time. */
export async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const k = next++;
      out[k] = await jobs[k]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The binary's answer is a clean error: non-zero exit, an "error:" line, no stack trace. */
export function isCleanError(r: { code: number | null; stderr: string }): boolean {
  return r.code !== 0 && r.code !== null && /^error: /m.test(r.stderr) && !/\n\s+at .+:\d+:\d+/.test(r.stderr) && !r.stderr.includes('internal error');
}
