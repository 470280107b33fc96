/**
 * Attack 5: two `rnn train` runs writing the same output (and checkpoint) at once. The file
 * left behind must be complete and equal, byte for byte, to one of the two runs' own results.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model-io/index.ts';
import { modelWithoutTimes, rnn, sleep, smallCorpus, spawnRnn, tempDir } from './helpers.ts';

const ARGS = ['--hidden', '8', '--layers', '1', '--batch-size', '4', '--seq-length', '12', '--steps', '60', '--eval-every', '3',
  '--checkpoint-every', '1', '--threads', '1', '--output', 'm.json', '--quiet'];

describe('two runs, one output path', () => {
  let corpus: string;
  const refs: Record<string, string> = {};

  beforeAll(() => {
    corpus = smallCorpus(tempDir());
    for (const seed of ['1', '2']) {
      const dir = tempDir();
      const r = rnn(['train', corpus, ...ARGS, '--seed', seed], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      refs[seed] = modelWithoutTimes(join(dir, 'm.json'));
    }
    expect(refs['1'] === refs['2']).toBe(false);
  });

  for (const offset of [0, 40, 150]) {
    it(`started ${offset} ms apart: the model is one run's complete result, the checkpoint loads`, async () => {
      const dir = tempDir();
      const a = spawnRnn(['train', corpus, ...ARGS, '--seed', '1'], { cwd: dir });
      await sleep(offset);
      const b = spawnRnn(['train', corpus, ...ARGS, '--seed', '2'], { cwd: dir });
      const [ra, rb] = await Promise.all([a.exited, b.exited]);
      // Both succeed (last complete write wins), or one refuses cleanly.
      for (const r of [ra, rb]) if (r.code !== 0) expect(r.stderr).toMatch(/^error: /m);
      expect(ra.code === 0 || rb.code === 0).toBe(true);
      const m = modelWithoutTimes(join(dir, 'm.json'));
      expect(m === refs['1'] || m === refs['2'], 'm.json is neither run\'s result').toBe(true);
      const ckpt = loadModelFile(join(dir, 'm.ckpt.json'));
      expect([1, 2]).toContain(ckpt.training.seed);
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    });
  }
});
