/// <reference lib="dom" />
/**
 * `rnn report`: one self-contained page. In Node: its sections, charts with one point per history
 * entry, and clear errors. In headless chromium (skipped without it): opened from file://, no
 * console errors, the charts drawn, and the in-page sampler printing what `rnn sample` prints; a
 * screenshot is left in artifacts/report.png to look at.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from '../browser/chromium.ts';
import { expectCleanError, rnn, tempDir } from '../cli/run.ts';

const ARTIFACTS = resolve(__dirname, '../../artifacts');
const TRAIN = ['--hidden', '16', '--layers', '2', '--steps', '120', '--eval-every', '20', '--seed', '1', '--batch-size', '8', '--seq-length', '32', '--quiet'];

interface Info { training: { history: { trainLoss: number | null; valLoss: number | null; lr: number | null; gradNorm: number | null; clipRate: number | null; seconds: number | null }[] } }

/** data-series → data-points of every chart polyline, in page order. */
function polylines(html: string): [string, number][] {
  return [...html.matchAll(/<polyline class="series" data-series="([^"]*)" data-points="(\d+)"/g)].map((m) => [m[1]!, Number(m[2])]);
}

describe('rnn report', () => {
  let dir: string;
  let history: Info['training']['history'];
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt')).subarray(0, 60_000));
    for (const [name, extra] of [['uni', []], ['bi', ['--bidirectional']]] as const) {
      const t = rnn(['train', 'c.txt', ...TRAIN, '-o', `${name}.json`, ...extra], { cwd: dir });
      expect(t.code, t.stderr).toBe(0);
    }
    history = (JSON.parse(rnn(['info', 'uni.json', '--json'], { cwd: dir }).stdout) as Info).training.history;
  });

  it('a left-to-right model: card, five training charts, gradient reach, coloured excerpt, samples, sampler', () => {
    const r = rnn(['report', 'uni.json', '--seed', '7'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/report: uni\.html \(\d+ kB; samples with seed 7\)/);
    const html = readFileSync(join(dir, 'uni.html'), 'utf8');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/); // nothing fetched
    expect(html).toContain('<th>parameters</th>');
    const count = (pick: (e: Info['training']['history'][number]) => number | null): number => history.filter((e) => pick(e) !== null).length;
    expect(polylines(html)).toEqual([
      ['train', count((e) => e.trainLoss)], ['validation', count((e) => e.valLoss)], // against steps
      ['train', count((e) => e.seconds === null ? null : e.trainLoss)], ['validation', count((e) => e.seconds === null ? null : e.valLoss)], // against time
      ['learning rate', count((e) => e.lr)], ['‖g‖ before clipping', count((e) => e.gradNorm)], ['steps clipped', count((e) => e.clipRate)],
      ['layer 1', 101], ['layer 2', 101], // gradient reach, k = 0 … 100
    ]);
    expect(history.length).toBeGreaterThanOrEqual(6);
    expect(html).toMatch(/Layer 1: (falls below|still above) 1e-3/);
    expect((html.match(/<span style="background:rgb\(/g) ?? []).length).toBe(800 + 5); // the excerpt and the legend
    expect((html.match(/<figure class="sample">/g) ?? []).length).toBe(3);
    // each sample is what rnn sample prints with its temperature and seed
    for (const t of ['0.5', '1', '1.5']) {
      const s = rnn(['sample', 'uni.json', '-t', t, '--seed', '7', '-n', '400'], { cwd: dir }).stdout;
      const shown = s.replace(/\n$/, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
      expect(html).toContain(`temperature ${t} · seed 7 · 400 characters</figcaption><pre>${shown}`);
    }
    expect(html).toContain('id="sampler"');
  });

  it('a bidirectional model: infill surprisal, and no samples or sampler, said on the page', () => {
    const r = rnn(['report', '--model', 'bi.json', '-o', 'bi-report.html'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(dir, 'bi-report.html'), 'utf8');
    expect(html).toContain('each character predicted from both sides');
    expect(html).toContain('fills gaps (rnn fill) rather than writing text');
    expect(html).not.toContain('id="sampler"');
    expect(polylines(html).map(([name]) => name)).not.toContain('layer 1');
  });

  it('without the corpus: the page still comes, and says what is missing', () => {
    const other = tempDir();
    writeFileSync(join(other, 'gone.txt'), readFileSync(join(dir, 'c.txt')).subarray(0, 20_000));
    const t = rnn(['train', 'gone.txt', '--hidden', '8', '--layers', '1', '--steps', '5', '--seed', '1', '-o', 'uni.json', '--quiet'], { cwd: other });
    expect(t.code, t.stderr).toBe(0);
    rmSync(join(other, 'gone.txt'));
    const r = rnn(['report', 'uni.json'], { cwd: other });
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(other, 'uni.html'), 'utf8');
    expect(html).toContain('No held-out text, so no gradient reach and no coloured excerpt');
    const withText = rnn(['report', 'uni.json', '--text', join(dir, 'c.txt'), '-o', 'text.html'], { cwd: other });
    expect(withText.code, withText.stderr).toBe(0);
    expect(readFileSync(join(other, 'text.html'), 'utf8')).toContain('The first 800 characters of the c.txt');
  });

  it('bad input: one-line errors', () => {
    const cases: [string[], RegExp][] = [
      [['report', 'nosuch.json'], /nosuch\.json/],
      [['report', 'uni.json', '-o', 'bi.json'], /bi\.json is a model file: the report will not replace it/],
      [['report', 'uni.json', '-o', 'no/such/dir/r.html'], /cannot write --output no\/such\/dir\/r\.html/],
      [['report', 'uni.json', '-o', '.'], /--output is a directory/],
      [['report', 'uni.json', '--text', 'nosuch.txt'], /nosuch\.txt/],
    ];
    for (const [args, message] of cases) {
      const r = rnn(args, { cwd: dir });
      expectCleanError(r);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it.skipIf(CHROMIUM === null)('in chromium: no console errors, the charts drawn, and the page samples what rnn sample prints', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(pathToFileURL(join(dir, 'uni.html')).href);
      await page.waitForFunction(() => document.body.dataset.samples === '1', null, { timeout: 60_000 });
      // the page's first sample: the form's defaults
      const first = await page.textContent('#sample-out');
      expect(first).toBe(rnn(['sample', 'uni.json', '-t', '1', '--seed', '1', '-n', '400'], { cwd: dir }).stdout.replace(/\n$/, ''));
      expect(await page.textContent('#sample-command')).toBe('rnn sample --model uni.json -t 1 --seed 1 -n 400');
      // the user's settings
      await page.fill('input[name=prime]', 'ROMEO:');
      await page.fill('input[name=temperature]', '0.7');
      await page.fill('input[name=topP]', '0.9');
      await page.fill('input[name=seed]', '42');
      await page.fill('input[name=length]', '300');
      await page.click('button[type=submit]');
      await page.waitForFunction(() => document.body.dataset.samples === '2', null, { timeout: 60_000 });
      const want = rnn(['sample', 'uni.json', '-t', '0.7', '--top-p', '0.9', '--seed', '42', '-n', '300', '--prime', 'ROMEO:'], { cwd: dir }).stdout;
      expect(await page.textContent('#sample-out')).toBe(want.replace(/\n$/, ''));
      expect(await page.textContent('#sample-command')).toBe("rnn sample --model uni.json -t 0.7 --top-p 0.9 --seed 42 -n 300 --prime 'ROMEO:'");
      expect(await page.textContent('#kernels')).toMatch(/^Running on WebAssembly SIMD/);
      // every chart drawn, with its points
      const drawn = await page.$$eval('polyline.series', (ps) => ps.map((p) => [p.getAttribute('data-series'), (p.getAttribute('points') ?? '').trim().split(/\s+/).length]));
      expect(drawn).toEqual(polylines(readFileSync(join(dir, 'uni.html'), 'utf8')));
      const sizes = await page.$$eval('svg.chart', (svgs) => svgs.map((s) => s.getBoundingClientRect().width));
      for (const w of sizes) expect(w).toBeGreaterThan(250);
      // hover shows the prediction
      await page.hover('pre.excerpt span:nth-child(30)');
      expect(await page.$eval('pre.excerpt span:nth-child(30)', (s) => getComputedStyle(s, '::after').content)).toMatch(/bits/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      console.log(`test/report: screenshot at ${join(ARTIFACTS, 'report.png')}`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
