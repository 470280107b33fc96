/** RNN_THREADS: the worker threads when --threads is not given (the tests themselves run with RNN_THREADS=1). */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, expectCleanError, tempDir } from './run.ts';

function rnnWith(threads: string, args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', RNN_THREADS: threads } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('RNN_THREADS', () => {
  it('sets the default thread count, --threads wins, and a bad value is one clear error', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), 'to be or not to be\n'.repeat(200));
    const train = ['train', 'c.txt', '--hidden', '8', '--steps', '2', '--seed', '1', '--force'];
    expect(rnnWith('2', train, dir).stderr).toMatch(/(WebAssembly|native)[^\n]*, 2 threads/);
    expect(rnnWith('2', [...train, '--threads', '1'], dir).stderr).toMatch(/(WebAssembly|native)[^\n]*, 1 thread\b/);
    const bad = rnnWith('many', ['sample', 'c.json', '-n', '5'], dir);
    expectCleanError(bad);
    expect(bad.stderr).toMatch(/invalid RNN_THREADS=many \(expected a whole number/);
  });
});
