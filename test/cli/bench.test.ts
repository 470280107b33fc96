import { describe, expect, it } from 'vitest';
import { expectCleanError, rnn } from './run.ts';

// Runs the bench, never judges its speed (that is for `npm run bench`, not the suite).
describe('rnn bench', () => {
  it('runs one job in a child process and prints its row', () => {
    const r = rnn(['bench', '--config', 'c1', '--seconds', '0.05', '--threads', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^machine: /m);
    const row = r.stdout.split('\n').find((l) => l.startsWith('C1'))!;
    const [, chars, ms, gflops, rss] = row.trim().split(/\s+/).map(Number);
    for (const x of [chars, ms, gflops, rss]) expect(x).toBeGreaterThan(0);
  });

  it('refuses an unknown configuration with a usage error', () => {
    const r = rnn(['bench', '--config', 'C2,C9']);
    expect(r.code).toBe(2);
    expectCleanError(r);
    expect(r.stderr).toContain('C9');
  });
});
