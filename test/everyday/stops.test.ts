/**
 * Issue 12, items 2–4: a signal, a closed terminal or a closed pipe during `rnn train` saves a
 * checkpoint and stops with the signal's exit code; resuming it ends in the uninterrupted run's
 * model, byte for byte. When the run is stopped is up to the machine; what is asserted is not.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../src/api/train.ts';
import { loadModelFile } from '../../src/model-io/index.ts';
import { BIN, modelWithoutTimes, rnn, sleep, smallCorpus, spawnRnn, tempDir, type Spawned } from '../reliability/helpers.ts';

// Small, with dropout and a carried state, so that an inexact resume would show; a step budget the
// runs are stopped well before (the learning rate's plan is the budget's: a resume goes on to it).
const ARGS = ['--hidden', '16', '--layers', '2', '--dropout', '0.1', '--batch-size', '4', '--seq-length', '12',
  '--checkpoint-every', '5', '--eval-every', '20', '--seed', '3', '--threads', '1', '--output', 'm.json'];
const BUDGET = ['--steps', '400'];

let corpus: string;
beforeAll(() => {
  corpus = smallCorpus(tempDir(), 30_000);
});

const stepOf = (path: string): number => loadModelFile(path).training.steps;

/** Starts an endless run in a new folder and waits for its first checkpoint (at least 5 steps in). */
async function started(extra: string[] = [], args = ARGS): Promise<{ dir: string; run: Spawned }> {
  const dir = tempDir();
  const run = spawnRnn(['train', corpus, ...args, ...BUDGET, ...extra], { cwd: dir });
  while (!existsSync(join(dir, 'm.ckpt.json')) && run.child.exitCode === null) await sleep(20);
  return { dir, run };
}

/** Waits for the child to exit; a run that goes on after it was stopped fails the test. */
async function exit(run: Spawned): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const timeout = sleep(60_000).then(() => null);
  const r = await Promise.race([run.exited, timeout]);
  if (r === null) {
    run.child.kill('SIGKILL');
    throw new Error('the run did not stop');
  }
  return r;
}

/** Resumes the checkpoint in `dir` to the end of its budget; the same run from scratch must give the same model. */
function expectExactResume(dir: string, args = ARGS): void {
  const resumed = rnn(['train', '--resume', 'm.ckpt.json', '--quiet'], { cwd: dir });
  expect(resumed.code, resumed.stderr).toBe(0);
  const fresh = tempDir();
  const r = rnn(['train', corpus, ...args, ...BUDGET, '--quiet'], { cwd: fresh });
  expect(r.code, r.stderr).toBe(0);
  expect(modelWithoutTimes(join(dir, 'm.json')) === modelWithoutTimes(join(fresh, 'm.json')), 'the resumed model differs from the uninterrupted one').toBe(true);
}

describe('#12.2 signals save and stop, with the signal\'s exit code', () => {
  for (const [signal, code] of [['SIGHUP', 129], ['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`${signal} (exit ${code}) leaves a checkpoint that resumes to the uninterrupted model`, async () => {
      const { dir, run } = await started(['--quiet']);
      run.child.kill(signal);
      const r = await exit(run);
      expect(r.code, r.stderr).toBe(code);
      const step = stepOf(join(dir, 'm.ckpt.json'));
      expect(step).toBeGreaterThanOrEqual(5);
      expect(existsSync(join(dir, 'm.json'))).toBe(true);
      expectExactResume(dir);
    });
  }
});

describe('#12.3 a closed stdout or stderr never loses the run', () => {
  it('a closed stderr (`rnn train 2>&1 | head -1`): exit 141, a checkpoint that resumes exactly', async () => {
    const { dir, run } = await started();
    run.child.stderr!.destroy(); // the reader goes away; the next progress line meets a closed pipe
    const r = await exit(run);
    expect(r.code).toBe(141);
    expectExactResume(dir);
  });

  it('a closed stdout (`rnn train --json | head -1`): exit 141 (never 0 without saving), the reason on stderr, exact resume', async () => {
    const { dir, run } = await started(['--json']);
    run.child.stdout!.destroy();
    const r = await exit(run);
    expect(r.code).toBe(141);
    expect(r.stderr).toMatch(/interrupted \(stdout was closed\)/);
    expect(r.stderr).toMatch(/resume with: rnn train --resume m\.ckpt\.json/);
    expectExactResume(dir);
  });

  it('through a real pipe into `head -1`, as a user types it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), readFileSync(corpus));
    const r = spawnSync('bash', ['-c', `node ${BIN} train c.txt ${[...ARGS, ...BUDGET].join(' ')} --json | head -1; echo "exit \${PIPESTATUS[0]}" >&2`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toMatch(/exit 141/);
    expect(['progress', 'eval']).toContain(JSON.parse(r.stdout).type);
    expect(stepOf(join(dir, 'm.ckpt.json'))).toBeGreaterThan(0);
  });
});

describe('#12.4 Ctrl-C before the first evaluation', () => {
  const NO_EVAL = ARGS.map((a, k) => (ARGS[k - 1] === '--eval-every' ? '1000000' : a));

  it('writes the model it names (a closing evaluation), and the run still resumes exactly', async () => {
    const { dir, run } = await started([], NO_EVAL);
    run.child.kill('SIGINT');
    const r = await exit(run);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/model: m\.json/);
    const model = loadModelFile(join(dir, 'm.json'));
    const step = stepOf(join(dir, 'm.ckpt.json'));
    expect(model.training.steps).toBe(step);
    expect(model.training.bestValLoss).toBeGreaterThan(0);
    expectExactResume(dir, NO_EVAL);
  });

  it('stopped before its first step: nothing is written, and the result says so', async () => {
    const dir = tempDir();
    const result = await train({ corpus: [corpus], model: { hidden: 8, layers: 1 }, steps: 100, seed: 1, threads: 1, output: join(dir, 'm.json') },
      { signal: AbortSignal.abort() });
    expect(result.reason).toBe('interrupted');
    expect(result.saved).toEqual({ model: false, checkpoint: false });
    expect(existsSync(join(dir, 'm.json')) || existsSync(join(dir, 'm.ckpt.json'))).toBe(false);
  });
});
