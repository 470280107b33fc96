import { describe, expect, it } from 'vitest';
import { samplerPayload } from '../../src/browser/build-payload.ts';
import { decodeParams } from '../../src/browser/decode.ts';
import { createSampler, type PageSampleOptions } from '../../src/browser/page-sampler.ts';
import { PAYLOAD_ID, samplerScripts } from '../../src/browser/page-scripts.ts';
import { defaultModelConfig, type ModelConfig } from '../../src/engine/config.ts';
import { createModel } from '../../src/engine/create.ts';
import { createKernels, referenceKernels } from '../../src/engine/kernels/index.ts';
import { describeWasmKernels } from '../../src/engine/kernels/wasm.ts';
import { relaxedSimdSupported } from '../../src/engine/kernels/wasm-node.ts';
import { RnnError } from '../../src/errors.ts';
import { loadParamsInto, tensorsOf } from '../../src/model-io/index.ts';
import { key } from '../../src/model-io/problem.ts';
import { sample } from '../../src/sample/sample.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { Rng } from '../../src/util/rng.ts';

// The page's sampler run in Node (test/browser/sampler.test.ts runs it in chromium): the payload
// carries the model exactly, the sampler draws what the library draws, and the page's scripts
// keep the payload intact inside HTML.

const vocab = Vocab.fromText('To be, or not to be: that is the question.\nWhether ’tis nobler <in the mind>\n', { eos: 'line' });
const config: ModelConfig = { ...defaultModelConfig, hidden: 16, layers: 2, vocabSize: vocab.size };
const file = { config, vocab, params: tensorsOf(createModel(config, referenceKernels('f32'), new Rng(5)).params) };
const payload = samplerPayload(file);

const bytes = (x: Float32Array): number[] => Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));

describe('the page sampler, in Node', () => {
  it('the payload carries the parameters bit for bit', () => {
    const decoded = decodeParams(payload.params);
    expect(Object.keys(decoded)).toEqual(Object.keys(file.params));
    for (const [name, t] of Object.entries(file.params)) {
      expect(decoded[name]!.shape).toEqual(t.shape);
      expect(bytes(decoded[name]!.data), name).toEqual(bytes(t.data));
    }
  });

  it('draws what the library draws on the WebAssembly kernels, seed for seed, from the same logits bit for bit', async () => {
    const kernels = await createKernels('wasm'); // first: it sets Node's flag for relaxed SIMD
    const model = createModel(config, kernels, new Rng(0));
    loadParamsInto(file.params, model.params);
    const sampler = await createSampler(payload);
    expect(sampler.kernels).toBe(describeWasmKernels(relaxedSimdSupported() ? 'relaxed' : 'simd', 1));
    const cases: PageSampleOptions[] = [
      { seed: 1, length: 200 }, { seed: 2, temperature: 0.6, topP: 0.8, prime: 'To be', length: 150 },
      { seed: 3, topK: 4, prime: 'Whether '.repeat(300), length: 100 }, // a long prime: one large first block
    ];
    for (const c of cases) {
      const page = await sampler.sample(c);
      expect(page.seed).toBe(c.seed);
      expect(page.text, JSON.stringify(c)).toBe(sample(model, vocab, c).text);
    }
    for (const prime of ['', 'To be, or']) {
      const x = Int32Array.from(vocab.encode(prime).ids), T = x.length, V = vocab.size;
      const want = Float32Array.from(model.logits(x, T, 1, model.newState(1)).subarray((T - 1) * V));
      expect(bytes(await sampler.logits(prime)), prime).toEqual(bytes(want));
    }
    kernels.close?.();
    const unseeded = await sampler.sample({ length: 10, prime: 'é' });
    expect(Number.isInteger(unseeded.seed)).toBe(true);
    expect(unseeded.warnings).toEqual(["1 prime character is not in the model's vocabulary and became <UNK>"]);
  });

  it('a damaged parameter is an RnnError that names it', async () => {
    const [name, t] = Object.entries(payload.params)[0]!;
    const damaged = { ...payload, params: { ...payload.params, [name]: { ...t, data: t.data.slice(0, -8) } } };
    await expect(createSampler(damaged)).rejects.toThrow(RnnError);
    await expect(createSampler(damaged)).rejects.toThrow(`bad params${key(name)}`);
  });

  it('the page scripts hold the payload as ASCII JSON with no "<", then a bundle that does not end its element early', () => {
    const html = samplerScripts(payload);
    const json = new RegExp(`^<script type="application/json" id="${PAYLOAD_ID}">(.*?)</script>`).exec(html)?.[1] ?? '';
    expect(json).toMatch(/^[\x20-\x7e]*$/);
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(payload);
    expect(html.match(/<\/script/gi)?.length).toBe(2);
    expect(html.includes('<!--')).toBe(false);
  });
});
