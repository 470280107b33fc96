/** --kernels and RNN_KERNELS: which backend runs the math, said in the header, --version and info. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model-io/index.ts';
import { NATIVE_MISSING } from '../engine/kernels/backends.ts';
import { expectCleanError, rnn, tempDir } from './run.ts';

const WORDS = {
  native: /native (AVX-512|AVX2|NEON|SSE2), \d threads?/,
  wasm: /WebAssembly SIMD( \(relaxed FMA\))?, \d threads?/,
  js: /TypeScript reference/,
};

describe('kernel backends', () => {
  let dir: string;
  const train = ['train', 'c.txt', '--hidden', '16', '--steps', '30', '--batch-size', '8', '--seq-length', '16', '--seed', '4', '--quiet', '--force'];
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), 'to be or not to be, that is the question\n'.repeat(300));
  });

  it('--version names the kernels that run', () => {
    const r = rnn(['--version'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(NATIVE_MISSING === null ? /^\d+\.\d+\.\d+\nkernels: native / : /^\d+\.\d+\.\d+\nkernels: wasm \(WebAssembly SIMD\); native kernels not built/);
    expect(rnn(['--version'], { cwd: dir, env: { RNN_KERNELS: 'js' } }).stdout).toMatch(/kernels: js \(TypeScript reference\) \(RNN_KERNELS\)/);
  });

  it('--kernels and RNN_KERNELS choose; the training header and rnn info say which; bad values are one clear error', () => {
    const header = (args: string[], env?: Record<string, string>): string => {
      const r = rnn([...train.filter((a) => a !== '--quiet'), ...args], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      return r.stderr.split('\n').find((l) => l.startsWith('training:'))!;
    };
    expect(header(['--kernels', 'wasm'])).toMatch(WORDS.wasm);
    expect(header(['--kernels', 'js'])).toMatch(WORDS.js);
    expect(header([], { RNN_KERNELS: 'wasm' })).toMatch(WORDS.wasm);
    expect(header(['--kernels', 'js'], { RNN_KERNELS: 'wasm' })).toMatch(WORDS.js); // the option wins
    expect(header([])).toMatch(NATIVE_MISSING === null ? WORDS.native : WORDS.wasm); // the fastest built
    expect(rnn(['info', 'c.json'], { cwd: dir, env: { RNN_KERNELS: 'wasm' } }).stdout).toMatch(new RegExp(`runs on +${WORDS.wasm.source}`));
    const badEnv = rnn(['sample', 'c.json', '-n', '5'], { cwd: dir, env: { RNN_KERNELS: 'gpu' } });
    expectCleanError(badEnv);
    expect(badEnv.stderr).toMatch(/invalid RNN_KERNELS=gpu \(expected one of native, wasm, js/);
    const badFlag = rnn([...train, '--kernels', 'gpu'], { cwd: dir });
    expectCleanError(badFlag);
    expect(badFlag.stderr).toMatch(/--kernels/);
  });

  it.runIf(NATIVE_MISSING !== null)('--kernels native where it was not built: one clear error and a hint', () => {
    const r = rnn([...train, '--kernels', 'native'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/no native kernels[\s\S]*hint: use --kernels wasm/);
  });

  it.runIf(NATIVE_MISSING === null)('the same seed, backend and any thread count give the same model, bit for bit', () => {
    const params = (kernels: string, threads: string): string => {
      const out = `m-${kernels}-${threads}.json`;
      const r = rnn([...train, '--kernels', kernels, '--threads', threads, '-o', out], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      return JSON.stringify(loadModelFile(join(dir, out)).params);
    };
    const native1 = params('native', '1');
    expect(params('native', '2')).toBe(native1);
    expect(params('native', '1')).toBe(native1);
    expect(params('wasm', '1')).not.toBe(native1); // another backend: other roundings, another model
  });
});
