/**
 * The page's sampler (dist/browser/sampler.js) in a real browser, opened from a file:// page that
 * holds the bundle and the payload: on the WebAssembly kernels it computes the logits Node computes,
 * bit for bit (a sampled text alone would rarely show a difference in the last bits), and for fixed
 * seeds prints what `rnn sample` prints on the same machine; where the page has no WebAssembly SIMD
 * it still samples, on the TypeScript kernels. Skipped where there is no chromium.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/api/load.ts';
import { samplerPayload } from '../../src/browser/build-payload.ts';
import { SAMPLER_GLOBAL, type PageSample, type PageSampleOptions } from '../../src/browser/page-sampler.ts';
import { PAYLOAD_ID, samplerScripts } from '../../src/browser/page-scripts.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import { describeWasmKernels } from '../../src/engine/kernels/wasm.ts';
import { relaxedSimdSupported } from '../../src/engine/kernels/wasm-node.ts';
import { loadModelFile } from '../../src/model-io/index.ts';
import { SAMPLE_OPTIONS } from '../../src/options.ts';
import { rnn, tempDir, WASM } from '../cli/run.ts';
import { CHROMIUM } from './chromium.ts';


const TRAIN = ['--steps', '30', '--seed', '1', '--batch-size', '8', '--seq-length', '16', '--quiet'];
const MODELS = [
  { file: 'lstm.json', label: 'lstm 1×16', shape: ['--hidden', '16', '--layers', '1'] },
  { file: 'gru.json', label: 'gru 2×12', shape: ['--cell', 'gru', '--hidden', '12', '--layers', '2'] },
  { file: 'rnn.json', label: 'rnn 1×10 (H not a multiple of 4)', shape: ['--cell', 'rnn', '--hidden', '10', '--layers', '1'] },
];

type Case = PageSampleOptions & { seed: number; length: number };
const CASES: Case[] = [
  { seed: 1, length: 300 },
  { seed: 2, temperature: 0.5, length: 400 },
  { seed: 3, temperature: 1.3, topP: 0.9, prime: 'ROMEO:\n', length: 300 },
  { seed: 4, temperature: 0.8, topK: 5, topP: 0.95, prime: 'The king', length: 250 },
];

/** Primes whose next-character logits the page and Node compare bit for bit. */
const PRIMES = ['', 'ROMEO:\n', 'First Citizen:\nBefore we proceed any further, hear me speak.\n'.repeat(3)];

/** `rnn sample` flags for a case. */
function flags(c: Case): string[] {
  const S = SAMPLE_OPTIONS;
  const given: [string, number | string | undefined][] = [
    [S.seed.flag, c.seed], [S.length.flag, c.length], [S.temperature.flag, c.temperature], [S.topK.flag, c.topK], [S.topP.flag, c.topP], ['--prime', c.prime],
  ];
  return given.flatMap(([flag, v]) => (v === undefined ? [] : [flag, String(v)]));
}

const bits = (x: Float32Array): number[] => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

/** What `rnn sample` writes for a text: a last line is always ended. */
const printed = (text: string): string => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

interface PageResult {
  kernels: string;
  samples: PageSample[];
  /** The page's logits after each of PRIMES. */
  logits: number[][];
}

/** A file:// page with the sampler inlined that runs every case; `before` runs first. */
function writePage(dir: string, name: string, model: string, before = ''): string {
  const path = join(dir, `${name}.html`);
  writeFileSync(path, `<!doctype html>
<title>rnn sampler test</title>
${before}
${samplerScripts(samplerPayload(loadModelFile(model)))}
<script>
globalThis.results = (async () => {
  const sampler = await ${SAMPLER_GLOBAL}.create(JSON.parse(document.getElementById('${PAYLOAD_ID}').textContent));
  const samples = [];
  for (const options of ${JSON.stringify(CASES)}) samples.push(await sampler.sample(options));
  const logits = [];
  for (const prime of ${JSON.stringify(PRIMES)}) logits.push(Array.from(await sampler.logits(prime)));
  return { kernels: sampler.kernels, samples, logits };
})();
</script>
`);
  return pathToFileURL(path).href;
}

describe.skipIf(CHROMIUM === null)('the sampler in a web page (headless chromium, file://)', () => {
  let dir: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt'), 'utf8').slice(0, 20_000));
    for (const { file, shape } of MODELS) {
      const r = rnn(['train', 'c.txt', ...shape, ...TRAIN, '-o', file], { cwd: dir, env: WASM });
      expect(r.code, r.stderr).toBe(0);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** The page's results, failing on any console error or uncaught error in it. */
  async function run(url: string): Promise<PageResult> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await page.goto(url);
      const result = (await page.evaluate('results')) as PageResult;
      expect(errors).toEqual([]);
      return result;
    } finally {
      await page.close();
    }
  }

  for (const { file, label } of MODELS) {
    it(`${label}: on the WebAssembly kernels Node picks, the page computes the logits \`rnn\` computes, bit for bit, and prints what \`rnn sample\` prints, seed for seed`, async () => {
      const { kernels, samples, logits } = await run(writePage(dir, file, join(dir, file)));
      expect(kernels).toBe(describeWasmKernels(relaxedSimdSupported() ? 'relaxed' : 'simd', 1));
      const loaded = await loadModel(join(dir, file), { backend: 'wasm' }); // as `rnn sample` loads it with RNN_KERNELS=wasm: its threads
      for (const [i, prime] of PRIMES.entries()) {
        const x = Int32Array.from(loaded.vocab.encode(prime).ids), T = x.length, V = loaded.vocab.size;
        const node = loaded.model.logits(x, T, 1, loaded.model.newState(1)).subarray((T - 1) * V, T * V);
        expect(bits(Float32Array.from(logits[i]!)), JSON.stringify(prime)).toEqual(bits(Float32Array.from(node)));
      }
      loaded.close();
      for (const [i, c] of CASES.entries()) {
        const cli = rnn(['sample', file, ...flags(c)], { cwd: dir, env: WASM });
        expect(cli.code, cli.stderr).toBe(0);
        expect(samples[i]!.seed).toBe(c.seed);
        expect(samples[i]!.text.length).toBe((c.prime ?? '').length + c.length);
        expect(printed(samples[i]!.text), JSON.stringify(c)).toBe(cli.stdout);
      }
      const json = JSON.parse(rnn(['sample', file, ...flags(CASES[2]!), '--json'], { cwd: dir, env: WASM }).stdout) as { text: string };
      expect(samples[2]!.text).toBe(json.text);
    });
  }

  it('without WebAssembly SIMD the page samples on the TypeScript kernels', async () => {
    const noSimd = '<script>WebAssembly.validate = () => false;</script>';
    const { kernels, samples } = await run(writePage(dir, 'no-simd', join(dir, MODELS[0]!.file), noSimd));
    expect(kernels).toBe(referenceKernels('f32').description);
    for (const [i, c] of CASES.entries()) {
      expect(samples[i]!.seed).toBe(c.seed);
      expect(samples[i]!.text.startsWith(c.prime ?? '')).toBe(true);
      expect(samples[i]!.text.length).toBe((c.prime ?? '').length + c.length);
    }
  });
});
