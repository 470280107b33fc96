import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TIMING_FIELDS } from '../../src/model-io/model-file.ts';

/** The built binary, as a user runs it (npm test builds first). */
export const BIN = resolve(__dirname, '../../bin/rnn.js');

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rnn-test-'));
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a run whose figures are those of the WebAssembly kernels' bits (another backend trains another model). */
export const WASM = { RNN_KERNELS: 'wasm' };

export function rnn(args: string[], opts: { cwd?: string; input?: string | Buffer; timeout?: number; env?: Record<string, string> } = {}): Run {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd, input: opts.input, encoding: 'utf8', timeout: opts.timeout ?? 120_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A one-line error: no stack trace, and the message starts with "error:". */
export function expectCleanError(r: Run): void {
  if (r.code === 0 || r.code === null) throw new Error(`expected a non-zero exit, got ${r.code}\n${r.stderr}`);
  if (/\n\s+at .+:\d+:\d+/.test(r.stderr) || r.stderr.includes('internal error')) throw new Error(`stack trace in stderr:\n${r.stderr}`);
  if (!/^error: /m.test(r.stderr)) throw new Error(`no "error:" line in stderr:\n${r.stderr}`);
}

/**
 * A model file's text with the machine-dependent timings of its history (seconds, chars/s) left
 * out: everything else — weights, vocabulary, configuration, losses — must match bit for bit.
 */
export function modelWithoutTimes(path: string): string {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { training: { history: Record<string, unknown>[] } };
  for (const e of json.training.history) for (const k of TIMING_FIELDS) delete e[k];
  return JSON.stringify(json);
}
