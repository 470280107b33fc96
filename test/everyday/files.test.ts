/**
 * Issue 12, items 1 and 8: a model is named after its corpus and never replaced by another run
 * without --force; the reading commands find their model; resume has one rule for its limits.
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model-io/index.ts';
import { expectCleanError, rnn, smallCorpus, tempDir } from '../reliability/helpers.ts';

const TINY = ['--hidden', '8', '--layers', '1', '--batch-size', '4', '--seq-length', '12', '--threads', '1', '--quiet'];

describe('#12.1 two runs in one folder keep both models', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    smallCorpus(dir, 6_000, 'book.txt');
    writeFileSync(join(dir, 'names.txt'), 'anna\nbob\ncarla\ndavid\nemma\n'.repeat(200));
    for (const corpus of ['book.txt', 'names.txt']) {
      const r = rnn(['train', corpus, ...TINY, '--steps', '20', '--seed', '1'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it('each model is named after its corpus: book.txt → book.json, book.ckpt.json', () => {
    expect(loadModelFile(join(dir, 'book.json')).training.corpus.name).toBe('book.txt');
    expect(loadModelFile(join(dir, 'names.json')).training.corpus.name).toBe('names.txt');
    expect(loadModelFile(join(dir, 'book.ckpt.json')).checkpoint).toBeDefined();
  });

  it('the bundled corpus gives tinyshakespeare.json', () => {
    const d = tempDir();
    const r = rnn(['train', ...TINY, '--steps', '1', '--val-fraction', '0.001'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(loadModelFile(join(d, 'tinyshakespeare.json')).training.corpus.name).toBe('tinyshakespeare.txt');
  });

  it('a second run on the same corpus refuses to replace the model, naming it, its model and its loss', () => {
    const before = readFileSync(join(dir, 'book.json'));
    const r = rnn(['train', 'book.txt', ...TINY, '--steps', '5', '--seed', '2'], { cwd: dir });
    expectCleanError(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/book\.json holds another run's model \(lstm \(layer-norm\) 1×8, 20 steps on book\.txt, best validation loss \d\.\d{4}/);
    expect(r.stderr).toMatch(/--force/);
    expect(readFileSync(join(dir, 'book.json')).equals(before)).toBe(true);
  });

  it("another run's checkpoint is refused too, with a hint to resume it", () => {
    const d = tempDir();
    smallCorpus(d, 6_000, 'book.txt');
    copyFileSync(join(dir, 'book.ckpt.json'), join(d, 'book.ckpt.json'));
    const r = rnn(['train', 'book.txt', ...TINY, '--steps', '5', '--seed', '2'], { cwd: d });
    expectCleanError(r);
    expect(r.stderr).toMatch(/book\.ckpt\.json holds another run's checkpoint/);
    expect(r.stderr).toMatch(/rnn train --resume book\.ckpt\.json/);
  });

  it('--force replaces them', () => {
    const d = tempDir();
    smallCorpus(d, 6_000, 'book.txt');
    copyFileSync(join(dir, 'book.json'), join(d, 'book.json'));
    const r = rnn(['train', 'book.txt', ...TINY, '--steps', '5', '--seed', '2', '--force'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(loadModelFile(join(d, 'book.json')).training.seed).toBe(2);
  });

  it('reading commands take a positional model (`rnn sample m.json`, `rnn info m.json`)', () => {
    const s = rnn(['sample', 'names.json', '--seed', '1', '--length', '20'], { cwd: dir });
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout.length).toBeGreaterThan(0);
    expect(rnn(['info', 'book.json'], { cwd: dir }).stdout).toMatch(/corpus\s+book\.txt/);
  });

  it('with several models and none named: an error that lists them; `rnn info` lists them with their losses', () => {
    const r = rnn(['sample', '--length', '10'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/2 models.*book\.json, names\.json/);
    const listing = rnn(['info'], { cwd: dir });
    expect(listing.code, listing.stderr).toBe(0);
    expect(listing.stdout).toMatch(/book\.json\s+lstm \(layer-norm\) 1×8\s+20\s+\d\.\d{4}\s+book\.txt/);
    expect(listing.stdout).toMatch(/names\.json/);
  });

  it('the only model of a folder is used, and named on stderr; none is an error', () => {
    const d = tempDir();
    copyFileSync(join(dir, 'names.json'), join(d, 'names.json'));
    const r = rnn(['sample', '--length', '10', '--seed', '1'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/model: names\.json \(the only model in this folder\)/);
    const none = rnn(['sample'], { cwd: tempDir() });
    expectCleanError(none);
    expect(none.stderr).toMatch(/no model given, and this folder holds none/);
  });
});

describe('#12.8 resume: limits are totals of the run', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    smallCorpus(dir, 6_000, 'c.txt');
    expect(rnn(['train', 'c.txt', ...TINY, '--steps', '20', '--seed', '4'], { cwd: dir }).code).toBe(0);
  });

  it('a resume that has nothing left to train is refused and leaves the stored limits as they were', () => {
    const before = readFileSync(join(dir, 'c.ckpt.json'));
    const r = rnn(['train', '--resume', 'c.ckpt.json', '--steps', '10'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/nothing left to train: the run is at step 20, its --steps total/);
    expect(r.stderr).toMatch(/--steps 40/);
    expect(readFileSync(join(dir, 'c.ckpt.json')).equals(before)).toBe(true);
    // a later resume with a larger total still trains
    const again = rnn(['train', '--resume', 'c.ckpt.json', '--steps', '25'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(loadModelFile(join(dir, 'c.ckpt.json')).training.steps).toBe(25);
  });

  it('--max-time is a total too: a run stopped by it has nothing left until it is raised', () => {
    const d = tempDir();
    smallCorpus(d, 6_000, 'c.txt');
    // only the time limit (a small corpus would otherwise stop at the recipe's epochs, or by patience)
    const r = rnn(['train', 'c.txt', ...TINY, '--max-time', '1s', '--epochs', 'none', '--patience', 'none', '--seed', '1'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    const again = rnn(['train', '--resume', 'c.ckpt.json'], { cwd: d });
    expectCleanError(again);
    expect(again.stderr).toMatch(/its --max-time total/);
    const more = rnn(['train', '--resume', 'c.ckpt.json', '--max-time', '2s'], { cwd: d });
    expect(more.code, more.stderr).toBe(0);
  });

  it('accepts --threads, and the corpus at a new place when its SHA-256 matches (a moved folder)', () => {
    const moved = join(tempDir(), 'moved');
    mkdirSync(moved);
    const d = tempDir();
    smallCorpus(d, 6_000, 'c.txt');
    expect(rnn(['train', 'c.txt', ...TINY, '--steps', '10', '--seed', '5'], { cwd: d }).code).toBe(0);
    for (const f of ['c.txt', 'c.json', 'c.ckpt.json']) renameSync(join(d, f), join(moved, f));
    const lost = rnn(['train', '--resume', 'c.ckpt.json', '--steps', '15'], { cwd: moved });
    expectCleanError(lost);
    expect(lost.stderr).toMatch(/cannot find the corpus/);
    const r = rnn(['train', '--resume', 'c.ckpt.json', 'c.txt', '--steps', '15', '--threads', '2'], { cwd: moved });
    expect(r.code, r.stderr).toBe(0);
    expect(loadModelFile(join(moved, 'c.json')).training.steps).toBe(15); // the model moved with its checkpoint
    writeFileSync(join(moved, 'other.txt'), 'not the same text\n'.repeat(100));
    const wrong = rnn(['train', '--resume', 'c.ckpt.json', 'other.txt', '--steps', '20'], { cwd: moved });
    expectCleanError(wrong);
    expect(wrong.stderr).toMatch(/corpus differs/);
  });

  it('other options are still refused on resume', () => {
    const r = rnn(['train', '--resume', 'c.ckpt.json', '--lr', '0.1'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/--resume takes its options from the checkpoint.*--lr/);
  });
});

describe('#12.17 the package has a name of its own; the command stays rnn', () => {
  it('is not npm\'s unrelated "rnn", and the README imports it by its name', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
    expect(pkg.name).not.toBe('rnn');
    expect(Object.keys(pkg.bin)).toEqual(['rnn']);
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(`from '${pkg.name}'`);
    expect(readme).not.toMatch(/npx rnn /);
  });
});
