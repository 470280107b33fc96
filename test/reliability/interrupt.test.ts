/**
 * Attack 2: SIGKILL at random moments of training (a checkpoint is written at every step, so many
 * kills land in or next to a write), unwritable output paths, and a full disk. The model and the
 * checkpoint must always load, resuming must end in the uninterrupted run's bytes, and a previous
 * model must never be lost.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCheckpointState } from '../../src/model-io/checkpoint-state.ts';
import { loadModelFile } from '../../src/model-io/index.ts';
import { Fuzz, isCleanError, modelWithoutTimes, rnn, sleep, smallCorpus, spawnRnn, tempDir, trainTiny } from './helpers.ts';

const ARGS = ['--hidden', '8', '--layers', '1', '--dropout', '0', '--batch-size', '4', '--seq-length', '12', '--steps', '90',
  '--eval-every', '7', '--checkpoint-every', '1', '--seed', '11', '--threads', '1', '--output', 'm.json', '--quiet'];

/** Both files, when present, must load and validate. */
function expectIntact(dir: string, what: string): { model: boolean; ckpt: boolean } {
  const out = { model: false, ckpt: false };
  for (const [name, key] of [['m.json', 'model'], ['m.ckpt.json', 'ckpt']] as const) {
    const p = join(dir, name);
    if (!existsSync(p)) continue;
    try {
      loadModelFile(p);
    } catch (e) {
      throw new Error(`${what}: ${name} does not load after the kill: ${(e as Error).message}`);
    }
    out[key] = true;
  }
  return out;
}

describe('SIGKILL at random moments', () => {
  let corpus: string;
  let reference: string;

  beforeAll(() => {
    corpus = smallCorpus(tempDir(), 30_000);
    const dir = tempDir();
    const r = rnn(['train', corpus, ...ARGS], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    reference = modelWithoutTimes(join(dir, 'm.json'));
  });

  it('6 kills at seeded random times: both files always load, and resuming gives the same model bytes', async () => {
    const f = new Fuzz(8080);
    const log: string[] = [];
    for (let k = 0; k < 6; k++) {
      const dir = tempDir();
      const { child, exited } = spawnRnn(['train', corpus, ...ARGS], { cwd: dir });
      // Wait for the first checkpoint in half the runs (so that most kills land mid-run), then a random delay.
      if (k % 2 === 0) while (!existsSync(join(dir, 'm.ckpt.json')) && child.exitCode === null) await sleep(5);
      await sleep(f.int(k % 2 === 0 ? 500 : 700));
      child.kill('SIGKILL');
      const r = await exited;
      const state = expectIntact(dir, `kill ${k}`);
      const ckpt = state.ckpt ? loadModelFile(join(dir, 'm.ckpt.json')) : null;
      const step = ckpt ? ckpt.training.steps : null;
      const closed = ckpt ? validateCheckpointState(ckpt).run.closedAt === 90 : false;
      const leftovers = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
      log.push(`kill ${k}: ${r.signal ?? `exit ${r.code}`}, checkpoint at step ${step ?? '–'}${closed ? ' (closed)' : ''}, temp files left ${leftovers.length}`);
      // Resume (or, killed before the first checkpoint, start again; killed after the run closed, nothing to do): the
      // same final model. A kill between the last step's checkpoint and the closing evaluation leaves that evaluation owed.
      if (!closed) {
        const again = state.ckpt ? rnn(['train', '--resume', 'm.ckpt.json', '--quiet'], { cwd: dir }) : rnn(['train', corpus, ...ARGS, '--force'], { cwd: dir });
        expect(again.code, again.stderr).toBe(0);
      }
      expect(modelWithoutTimes(join(dir, 'm.json')) === reference, `kill ${k} (checkpoint step ${step}): resumed model differs`).toBe(true);
      // A temp file a kill left behind is cleaned up by the next write to the same file.
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    }
    console.log(log.join('\n'));
  });

  it('kills aimed at checkpoint writes leave nothing corrupt (coverage only: how many land mid-write depends on the machine)', async () => {
    let caught = 0;
    for (let k = 0; k < 3; k++) {
      const dir = tempDir();
      const { child, exited } = spawnRnn(['train', corpus, ...ARGS], { cwd: dir });
      // Busy-poll the directory for the checkpoint's temp file and kill the moment it appears.
      const deadline = Date.now() + 20_000;
      while (child.exitCode === null && Date.now() < deadline) {
        if (readdirSync(dir).some((n) => n.startsWith('.m.ckpt.json.') && n.endsWith('.tmp'))) {
          child.kill('SIGKILL');
          caught++;
          break;
        }
        await new Promise((r) => setImmediate(r));
      }
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      expectIntact(dir, `aimed kill ${k}`);
      if (existsSync(join(dir, 'm.ckpt.json')) && loadModelFile(join(dir, 'm.ckpt.json')).training.steps < 90) {
        const again = rnn(['train', '--resume', 'm.ckpt.json', '--quiet'], { cwd: dir });
        expect(again.code, again.stderr).toBe(0);
        expect(modelWithoutTimes(join(dir, 'm.json'))).toBe(reference);
      }
    }
    console.log(`aimed kills that saw a checkpoint temp file: ${caught} of 3`);
  });
});

describe('unwritable output paths', () => {
  let t: ReturnType<typeof trainTiny>;
  let previous: Buffer;
  beforeAll(() => {
    t = trainTiny();
    previous = readFileSync(t.model);
  });

  for (const [what, args] of [
    ['--output under a regular file', ['--output', 'corpus.txt/m.json']],
    ['--checkpoint under a regular file', ['--output', 'm.json', '--checkpoint', 'corpus.txt/c.json']],
    ['--output in a missing directory', ['--output', 'no/such/m.json']],
    ['--output that is a directory', ['--output', '.']],
  ] as const) {
    it(`${what}: refused before training starts (exit 2), the previous model untouched`, () => {
      const r = rnn(['train', 'corpus.txt', '--hidden', '8', '--layers', '1', '--steps', '3', '--seed', '2', '--threads', '1', ...args], { cwd: t.dir });
      expect(isCleanError(r), r.stderr).toBe(true);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/^training:/m); // nothing was trained
      expect(readFileSync(t.model).equals(previous)).toBe(true);
    });
  }

  // access(W_OK) is always true for root; /proc accepts no new files: a probe write finds out.
  it('--output in /proc (writable by mode, not in fact): refused before training starts', () => {
    const r = rnn(['train', 'corpus.txt', '--hidden', '8', '--layers', '1', '--steps', '3', '--seed', '2', '--threads', '1', '--output', '/proc/m.json'], { cwd: t.dir });
    expect(isCleanError(r), r.stderr).toBe(true);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/^training:/m);
  });

  // With a good --output and an unwritable --checkpoint, the run must not train, overwrite the
  // previous model at its first evaluation, and only then fail.
  it('--checkpoint in /proc: the previous model is not overwritten by a run that then fails', () => {
    const r = rnn(['train', 'corpus.txt', '--hidden', '8', '--layers', '1', '--steps', '3', '--seed', '2', '--threads', '1', '--output', 'm.json', '--checkpoint', '/proc/c.json'], { cwd: t.dir });
    expect(isCleanError(r), r.stderr).toBe(true);
    expect(readFileSync(t.model).equals(previous)).toBe(true);
  });
});

/** A 48 kB tmpfs, when this machine lets the tests mount one (root in a container usually can). */
function mountSmallDisk(): string | null {
  const dir = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return null;
  }
}

describe('a full disk', () => {
  const disk = process.platform === 'linux' ? mountSmallDisk() : null;
  afterAll(() => {
    if (disk) execFileSync('umount', [disk], { stdio: 'ignore' });
  });

  it.skipIf(disk === null)('a save that hits ENOSPC is one clean error, the previous model intact, no temp file left', () => {
    const t = trainTiny();
    const previous = readFileSync(t.model);
    mkdirSync(join(disk!, 'd'));
    writeFileSync(join(disk!, 'd', 'm.json'), previous);
    // Fill the rest of the disk.
    try {
      writeFileSync(join(disk!, 'filler'), Buffer.alloc(64 * 1024));
    } catch {
      // ENOSPC: full, as wanted
    }
    const r = rnn(['train', t.corpus, '--hidden', '8', '--layers', '1', '--steps', '3', '--seed', '2', '--threads', '1', '--output', 'm.json', '--force'], { cwd: join(disk!, 'd') });
    expect(isCleanError(r), r.stderr).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write/);
    expect(readFileSync(join(disk!, 'd', 'm.json')).equals(previous)).toBe(true);
    expect(readdirSync(join(disk!, 'd')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
