import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, loadModel, sample, score, train } from '../../src/index.ts';
import { tempDir } from '../cli/run.ts';

describe('the library API (the README example)', () => {
  it('trains, loads, samples, evaluates and scores', async () => {
    const dir = tempDir();
    const book = join(dir, 'book.txt');
    writeFileSync(book, readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt'), 'utf8').slice(0, 40_000));
    const output = join(dir, 'book.json');
    const result = await train({
      corpus: [book], steps: 40, evalEvery: 20, output, checkpoint: join(dir, 'book.ckpt.json'), seed: 1,
      model: { hidden: 32, layers: 1 }, batchSize: 8, seqLength: 32,
    });
    expect(result.reason).toBe('steps');
    expect(result.run.history.map((h) => h.step)).toEqual([20, 40]);

    const { model, vocab, close } = await loadModel(output);
    try {
      expect(model.config.hidden).toBe(32);
      const a = sample(model, vocab, { length: 100, temperature: 0.8, seed: 1 });
      expect(a.text).toBe(sample(model, vocab, { length: 100, temperature: 0.8, seed: 1 }).text);
      const { ids } = vocab.encode('Some held-out text.\n');
      const r = evaluate(model, ids);
      expect(r.tokens).toBe(ids.length - 1);
      expect(r.bits).toBeLessThan(Math.log2(vocab.size)); // better than uniform after training
      const ranked = score(model, vocab, ['the and the', 'xqzj vkqz']);
      expect(ranked[0].text).toBe('the and the');
    } finally {
      close();
    }
  });
});
