import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradients } from '../../src/api/gradients.ts';
import { defaultModelConfig } from '../../src/engine/config.ts';
import { expectCleanError, rnn, tempDir, WASM } from '../cli/run.ts';
import { variants } from '../engine/variants.ts';

/** Lines that need memory: a key, `span` dots, the key again (predictable only by remembering it). */
function memoryTask(span: number, lines: number): string {
  let seed = 7;
  const keys = 'abcd';
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const k = keys[(seed >>> 16) % 4]!;
    out.push(k + '.'.repeat(span) + k);
  }
  return out.join('\n') + '\n';
}

interface ReachJson {
  model: string;
  source: string;
  seed: number | null;
  maxDistance: number;
  positions: number;
  layers: { norms: number[]; reach: number | null }[];
}

const ratio = (r: ReachJson, k: number): number => r.layers[0]!.norms[k]! / r.layers[0]!.norms[0]!;

describe('rnn gradients', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, 'mem.txt'), memoryTask(20, 3000));
  });

  it('a plain RNN reaches less far back than an LSTM on a task that needs memory, trained alike', () => {
    const reach: Record<string, ReachJson> = {};
    for (const cell of ['rnn', 'lstm']) {
      const t = rnn(['train', 'mem.txt', '--cell', cell, '--hidden', '32', '--layers', '1', '--dropout', '0', '--steps', '1000',
        '--batch-size', '16', '--seq-length', '64', '--seed', '2', '-o', `${cell}.json`, '--quiet'], { cwd: dir, env: WASM });
      expect(t.code, t.stderr).toBe(0);
      const g = rnn(['gradients', '--model', `${cell}.json`, '--max-distance', '40', '--json'], { cwd: dir, env: WASM });
      expect(g.code, g.stderr).toBe(0);
      reach[cell] = JSON.parse(g.stdout) as ReachJson;
    }
    const { rnn: plain, lstm } = reach as { rnn: ReachJson; lstm: ReachJson };
    expect(plain.source).toMatch(/validation split of mem\.txt/);
    expect(plain.layers[0]!.reach).not.toBeNull();
    expect(plain.layers[0]!.reach!).toBeLessThan(40);
    expect(lstm.layers[0]!.reach ?? Infinity).toBeGreaterThan(plain.layers[0]!.reach!);
    // past the 21 steps the key must be carried, the LSTM's gradient is orders of magnitude larger
    for (const k of [25, 30, 40]) expect(ratio(lstm, k)).toBeGreaterThan(100 * ratio(plain, k));
  });

  it('a fresh model of any cell: the chart, each layer in words, and its seed', async () => {
    for (const v of variants) {
      const shape = { ...defaultModelConfig, ...v.over, hidden: 8, layers: 2 };
      const r = await gradients({ files: [join(dir, 'mem.txt')], shape, seed: 3, maxDistance: 12, positions: 8 });
      expect(r.layers, v.label).toHaveLength(2);
      for (const layer of r.layers) {
        expect(layer.norms, v.label).toHaveLength(13);
        expect(layer.norms.every((x) => Number.isFinite(x) && x >= 0), v.label).toBe(true);
        expect(layer.norms[0], v.label).toBeGreaterThan(0);
      }
    }
    // the command: the chart, each layer in words, and the seed
    const r = rnn(['gradients', '--cell', 'gru', '--minimal', '--hidden', '8', '--layers', '2', '--seed', '3', '--max-distance', '12', '--positions', '8', 'mem.txt'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/a fresh 2×8 .* \(seed 3\) on mem\.txt: 8 positions/);
    expect(r.stdout).toMatch(/layer 1: (falls below 1e-3 of its k = 0 value at k = \d+|still above 1e-3 of its k = 0 value at k = 12)/);
    expect(r.stdout).toMatch(/layer 2: /);
    expect(r.stdout).toMatch(/── layer 1 {3}══ layer 2/); // the plain-text chart's legend
  });

  it('the same seed gives the same numbers; --json carries them', () => {
    const run = () => JSON.parse(rnn(['gradients', '--cell', 'gru', '--hidden', '8', '--seed', '5', '--max-distance', '10', '--positions', '4', '--json', 'mem.txt'], { cwd: dir }).stdout) as ReachJson;
    const a = run(), b = run();
    expect(a).toEqual(b);
    expect(a.seed).toBe(5);
    expect(a.layers).toHaveLength(2);
    expect(a.layers[0]!.norms).toHaveLength(11);
  });

  it('bad input: one-line errors', () => {
    for (const args of [
      ['gradients', '--model', 'nosuch.json'],
      ['gradients', '--cell', 'lstm', '--model', 'x.json'],
      ['gradients', '--cell', 'lstm', '--bidirectional', 'mem.txt'],
      ['gradients', '--cell', 'lstm', '--max-distance', '0', 'mem.txt'],
      ['gradients', '--cell', 'lstm', '--max-distance', '5000', 'mem.txt'],
      ['gradients', '--cell', 'lstm', 'nosuch.txt'],
    ]) {
      const r = rnn(args, { cwd: dir });
      expectCleanError(r);
    }
    expect(rnn(['gradients', '--cell', 'lstm', '--bidirectional', 'mem.txt'], { cwd: dir }).stderr).toMatch(/left-to-right/);
    const big = rnn(['gradients', '--cell', 'lstm', '--hidden', '4096', '--layers', '2', '--max-distance', '10000', 'mem.txt'], { cwd: dir });
    expectCleanError(big);
    expect(big.stderr).toMatch(/does not fit in memory[^]*a smaller --max-distance also helps/);
  });
});

describe('rnn inspect', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, 'mem.txt'), memoryTask(6, 2000));
    // the dropout and constant rate these models were calibrated with (the defaults follow the budget)
    for (const [name, extra] of [['uni', []], ['bi', ['--bidirectional']], ['plain', ['--cell', 'rnn']]] as const) {
      const t = rnn(['train', 'mem.txt', '--hidden', '16', '--layers', '2', '--dropout', '0.2', '--lr-schedule', 'step', '--steps', '300', '--seed', '1', '--batch-size', '16', '--seq-length', '32', '-o', `${name}.json`, '--quiet', ...extra], { cwd: dir });
      expect(t.code, t.stderr).toBe(0);
    }
  });

  interface InspectJson {
    infill: boolean;
    totalBits: number;
    bitsPerChar: number;
    measure: string | null;
    positions: { char: string; bits: number; value?: number; top?: { char: string; p: number }[] }[];
  }
  const inspect = (args: string[]): InspectJson => {
    const r = rnn(['inspect', ...args, '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as InspectJson;
  };

  it('surprisal per character adds up to the text\'s total, and matches rnn score', () => {
    const j = inspect(['--model', 'uni.json', 'b......b']);
    expect(j.positions.map((p) => p.char).join('')).toBe('b......b');
    const sum = j.positions.reduce((s, p) => s + p.bits, 0);
    expect(j.totalBits).toBeCloseTo(sum, 9);
    // the dots after a key are learnt (under 0.5 bits); the key itself is a draw of 1 in 4 (about 2 bits or more)
    for (let i = 2; i < 6; i++) expect(j.positions[i]!.bits).toBeLessThan(0.5);
    expect(j.positions[0]!.bits).toBeGreaterThan(1.5);
    // rnn score adds the closing <EOS>: the text plus that line end gives the same total
    const withEnd = inspect(['--model', 'uni.json', 'b......b\n']);
    const score = JSON.parse(rnn(['score', '--model', 'uni.json', 'b......b', '--json'], { cwd: dir }).stdout) as { logProb: number }[];
    expect(withEnd.totalBits * Math.LN2).toBeCloseTo(-score[0]!.logProb, 4);
  });

  it('--top K: the K most probable characters, in order, probabilities that sum to at most 1', () => {
    const j = inspect(['--model', 'uni.json', 'a..', '--top', '3']);
    for (const p of j.positions) {
      expect(p.top).toHaveLength(3);
      expect(p.top![0]!.p).toBeGreaterThanOrEqual(p.top![1]!.p);
      expect(p.top![1]!.p).toBeGreaterThanOrEqual(p.top![2]!.p);
      expect(p.top!.reduce((s, t) => s + t.p, 0)).toBeLessThanOrEqual(1 + 1e-9);
      // the character's own probability is 2^−bits; if it is in the top 3, the numbers agree
      const own = p.top!.find((t) => t.char === p.char);
      if (own) expect(own.p).toBeCloseTo(2 ** -p.bits, 6);
    }
    expect(j.positions[1]!.top![0]!.char).toBe('.');
  });

  it('--neuron and --gate: a value per character, in range', () => {
    const n = inspect(['--model', 'uni.json', 'c......c', '--neuron', '2:16']);
    expect(n.measure).toBe('unit 16 of layer 2');
    for (const p of n.positions) expect(Math.abs(p.value!)).toBeLessThan(1);
    const g = inspect(['--model', 'uni.json', 'c......c', '--gate', 'f']);
    expect(g.measure).toMatch(/gate f, mean activation \(layer 2\)/);
    for (const p of g.positions) {
      expect(p.value!).toBeGreaterThan(0);
      expect(p.value!).toBeLessThan(1);
    }
    const g1 = inspect(['--model', 'uni.json', 'c......c', '--gate', '1:o']);
    expect(g1.measure).toMatch(/layer 1/);
    expect(g1.positions.map((p) => p.value)).not.toEqual(g.positions.map((p) => p.value));
  });

  it('a bidirectional model: infill probabilities, the opening key known from the right side', () => {
    const bi = inspect(['--model', 'bi.json', 'd......d', '--neuron', '1:1']);
    expect(bi.infill).toBe(true);
    expect(bi.positions).toHaveLength(8);
    // the opening key is known from the right side too
    expect(bi.positions[0]!.bits).toBeLessThan(1);
  });

  it('plain output: a table with one row per character and the totals on stderr', () => {
    const r = rnn(['inspect', '--model', 'uni.json', 'ab', '--top', '2'], { cwd: dir });
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/pos\s+char\s+bits\s+most probable here/);
    expect(rows).toHaveLength(3);
    expect(r.stderr).toMatch(/bits in all, [\d.]+ bits\/char over 2 characters/);
  });

  it('bad input: one-line errors that say what the model has', () => {
    const cases: [string[], RegExp][] = [
      [['inspect', '--model', 'uni.json'], /nothing to inspect/],
      [['inspect', '--model', 'uni.json', ''], /nothing to inspect/],
      [['inspect', '--model', 'uni.json', 'ab', '--neuron', '3:1'], /no layer 3 .*from 1 to 2/],
      [['inspect', '--model', 'uni.json', 'ab', '--neuron', '1:17'], /no unit 17 in layer 1 .*from 1 to 16/],
      [['inspect', '--model', 'uni.json', 'ab', '--neuron', 'x'], /invalid value for --neuron/],
      [['inspect', '--model', 'uni.json', 'ab', '--gate', 'r'], /one of the gates of this lstm \(layer-norm\): i, f, g, o/],
      [['inspect', '--model', 'plain.json', 'ab', '--gate', 'f'], /a plain rnn \(tanh\) has no gates/],
      [['inspect', '--model', 'uni.json', 'ab', '--neuron', '1:1', '--gate', 'f'], /exclude each other/],
      [['inspect', '--model', 'uni.json', '--file', 'nosuch.txt'], /cannot read nosuch\.txt/],
      [['inspect', '--model', 'nosuch.json', 'ab'], /nosuch\.json/],
      [['inspect', 'uni.json'], /is a model file, not a text/],
    ];
    for (const [args, message] of cases) {
      const r = rnn(args, { cwd: dir });
      expectCleanError(r);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});
