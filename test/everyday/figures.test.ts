/**
 * Issue 12, items 11, 12, 16, 18 and 19: streams that stop when their reader does, line ends, and
 * figures with one definition (the exact one by default).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/api/load.ts';
import { rowNll } from '../../src/util/softmax.ts';
import { loadModelFile } from '../../src/model-io/index.ts';
import { rnn, sleep, smallCorpus, spawnRnn, tempDir } from '../reliability/helpers.ts';

const TINY = ['--hidden', '12', '--layers', '1', '--batch-size', '4', '--seq-length', '16', '--threads', '1', '--seed', '1', '--quiet'];

let dir: string;
beforeAll(() => {
  dir = tempDir();
  smallCorpus(dir, 20_000, 'c.txt');
  for (const [name, extra] of [['line', []], ['none', ['--eos', 'none']], ['bi', ['--bidirectional']]] as const) {
    const r = rnn(['train', 'c.txt', ...TINY, '--steps', '30', ...extra, '-o', `${name}.json`], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  }
});

describe('#12.11 sampling output', () => {
  it('stops as soon as stdout is closed (`rnn sample -n 100000000 | head -c 10`)', async () => {
    const run = spawnRnn(['sample', 'line.json', '-n', '100000000', '--seed', '1'], { cwd: dir });
    let got = '';
    await new Promise<void>((resolve) => run.child.stdout!.on('data', (s: string) => {
      got += s;
      if (got.length >= 10) resolve();
    }));
    run.child.stdout!.destroy();
    const r = await Promise.race([run.exited, sleep(30_000).then(() => null)]); // 10⁸ characters would take an hour
    if (r === null) run.child.kill('SIGKILL');
    expect(r, 'sampling went on after stdout was closed').not.toBeNull();
    expect(r!.code).toBe(0);
    expect(r!.stderr).not.toMatch(/EPIPE|\n\s+at /);
  });

  it('--count K prints exactly K lines; -n 0 prints nothing', () => {
    const r = rnn(['sample', 'line.json', '--count', '3', '--seed', '1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.slice(0, -1).split('\n')).toHaveLength(3);
    expect(rnn(['sample', 'line.json', '-n', '0'], { cwd: dir }).stdout).toBe('');
  });
});

describe('#12.12 CRLF corpora', () => {
  it('line ends are read as newlines, said once; no \\r reaches the vocabulary or the samples', () => {
    const d = tempDir();
    writeFileSync(join(d, 'win.txt'), 'hello there\r\ngeneral kenobi\r\n'.repeat(200));
    const r = rnn(['train', 'win.txt', ...TINY, '--steps', '10'].filter((a) => a !== '--quiet'), { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/400 Windows line ends \(CRLF\) read as newlines/g)).toHaveLength(1);
    expect(loadModelFile(join(d, 'win.json')).vocab.chars).not.toContain(0x0d);
    expect(rnn(['sample', 'win.json', '-n', '300', '--seed', '2'], { cwd: d }).stdout).not.toContain('\r');
  });
});

describe('#12.16 figures on unknown characters, and sequences cut short', () => {
  it('eval warns when much of the text is <UNK>', () => {
    writeFileSync(join(dir, 'greek.txt'), 'the αβγ the δεζ the ηθι\n'.repeat(20));
    const r = rnn(['eval', 'perplexity', '--model', 'line.json', 'greek.txt'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: 180 of the 480 characters \(37\.5%\) are not in the model's vocabulary/);
  });

  it('--count on a model without sequence ends says each sequence is cut', () => {
    const r = rnn(['sample', 'none.json', '--count', '1', '--seed', '1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--eos none.*stops at 2,000 characters/);
  });
});

describe('#12.18 eval perplexity is exact by default', () => {
  const text = 'To be, or not to be, that is the question:\nWhether tis nobler in the mind to suffer\n';

  it('the default equals one stream with the state carried through, token by token', async () => {
    writeFileSync(join(dir, 'q.txt'), text);
    const r = JSON.parse(rnn(['eval', 'perplexity', '--model', 'line.json', 'q.txt', '--json'], { cwd: dir }).stdout);
    const { model, vocab, close } = await loadModel(join(dir, 'line.json'), { threads: 1 });
    try {
      const { ids } = vocab.encode(text);
      const state = model.newState(1);
      let total = 0;
      for (let p = 1; p < ids.length; p++) total += rowNll(model.logits(Int32Array.of(ids[p - 1]!), 1, 1, state), 0, vocab.size, ids[p]!);
      expect(r.tokens).toBe(ids.length - 1);
      expect(r.nats).toBeCloseTo(total / (ids.length - 1), 5);
      expect(r.parts).toBe(1);
    } finally {
      close();
    }
  });

  it('--batch-size > 1 is opt-in and says it is approximate', () => {
    const r = rnn(['eval', 'perplexity', '--model', 'line.json', 'q.txt', '--batch-size', '8'], { cwd: dir });
    expect(r.stdout).toMatch(/approximate\s+8 parts, each from a zero state/);
    expect(rnn(['eval', 'perplexity', '--model', 'line.json', 'q.txt'], { cwd: dir }).stdout).not.toMatch(/approximate/);
  });

  it("training's validation loss is the same figure as eval's on the split", () => {
    for (const name of ['line', 'bi']) {
      const r = JSON.parse(rnn(['eval', 'perplexity', '--model', `${name}.json`, '--json'], { cwd: dir }).stdout);
      const t = loadModelFile(join(dir, `${name}.json`)).training;
      expect(r.parts).toBe(1);
      expect(r.nats, name).toBeCloseTo(t.history.at(-1)!.valLoss!, 5);
    }
  });
});

describe('#12.19 score follows the model\'s sequence ends', () => {
  it('a model without sequence ends scores characters only; with them, the closing <EOS> too', () => {
    const none = JSON.parse(rnn(['score', '--model', 'none.json', '--json', 'to be'], { cwd: dir }).stdout);
    const line = JSON.parse(rnn(['score', '--model', 'line.json', '--json', 'to be'], { cwd: dir }).stdout);
    expect(none[0].tokens).toBe(5);
    expect(line[0].tokens).toBe(6);
  });

  it('--file drops a byte-order mark as train and eval do', () => {
    writeFileSync(join(dir, 'bom.txt'), '\uFEFFto be\nor not\n');
    writeFileSync(join(dir, 'plain.txt'), 'to be\nor not\n');
    const a = rnn(['score', '--model', 'line.json', '--json', '--file', 'bom.txt'], { cwd: dir }).stdout;
    const b = rnn(['score', '--model', 'line.json', '--json', '--file', 'plain.txt'], { cwd: dir }).stdout;
    expect(a).toBe(b);
    expect(JSON.parse(a)[0].unknown).toBe(0);
  });

  it('the definition is in --help', () => {
    expect(rnn(['score', '--help']).stdout).toMatch(/for a model with sequence ends \(--eos line or paragraph\), of the <EOS>/);
    expect(readFileSync(join(__dirname, '../../README.md'), 'utf8')).toMatch(/rnn score/);
  });
});
