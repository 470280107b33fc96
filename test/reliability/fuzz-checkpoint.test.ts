/**
 * Attack 1d: hostile checkpoints given to --resume. The model-file layer validates the tensors,
 * but the trainer state inside (options, run, optimizerT) was trusted: a damaged one hung the
 * trainer, crashed it with a TypeError/RangeError, or resumed silently from a wrong state.
 * `validateCheckpointState` (src/model-io/checkpoint-state.ts) checks it; the binary tests below
 * show what happens until src/api/train.ts calls it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RnnError } from '../../src/errors.ts';
import { checkResumeFits, parseModelFile, validateCheckpointState } from '../../src/model-io/index.ts';
import { expectOneLine, Fuzz, isCleanError, rnn, trainTiny } from './helpers.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MUTATIONS: Record<string, (j: Json) => void> = {
  'a missing optimiser moment': (j) => { delete j.checkpoint.tensors[Object.keys(j.checkpoint.tensors).find((n) => n.startsWith('optimizer.'))!]; },
  'a string step (hung the trainer)': (j) => { j.checkpoint.json.run.step = 'x'; },
  'a huge cursor': (j) => { j.checkpoint.json.run.cursor = 1e15; },
  'a negative cursor': (j) => { j.checkpoint.json.run.cursor = -5; },
  'an rng that is not 4 words': (j) => { j.checkpoint.json.run.rng = 'x'; },
  'an all-zero rng': (j) => { j.checkpoint.json.run.rng = [0, 0, 0, 0]; },
  'history not an array': (j) => { j.checkpoint.json.run.history = 5; },
  'hidden ≠ the file\'s config': (j) => { j.checkpoint.json.options.model.hidden = 16; },
  'a huge model in the options': (j) => { j.checkpoint.json.options.model.hidden = 65536; j.checkpoint.json.options.model.layers = 64; },
  'options.model null': (j) => { j.checkpoint.json.options.model = null; },
  'a string lr': (j) => { j.checkpoint.json.options.lr = 'fast'; },
  'another optimizer than the moments\'': (j) => { j.checkpoint.json.options.optimizer = 'banana'; },
  'a negative optimizerT': (j) => { j.checkpoint.json.optimizerT = -1; },
  'epoch null': (j) => { j.checkpoint.json.run.epoch = null; },
  'an unknown tensor': (j) => { j.checkpoint.tensors.bogus = j.checkpoint.tensors['state.carried']; },
  'no carried state': (j) => { delete j.checkpoint.tensors['state.carried']; },
  'eos ≠ the vocabulary\'s': (j) => { j.checkpoint.json.options.eos = 'none'; },
  'step ≠ training.steps': (j) => { j.checkpoint.json.run.step += 1; },
  'corpus not a list': (j) => { j.checkpoint.json.options.corpus = '/etc/passwd'; },
};

describe('hostile checkpoints', () => {
  let t: ReturnType<typeof trainTiny>;
  let base: Json;
  beforeAll(() => {
    t = trainTiny(['--checkpoint-every', '2']);
    base = JSON.parse(readFileSync(t.ckpt, 'utf8'));
  });

  it('a real checkpoint passes validateCheckpointState', () => {
    const file = parseModelFile(JSON.stringify(base), 'm.ckpt.json');
    const s = validateCheckpointState(file);
    expect(s.run.step).toBe(file.training.steps);
  });

  for (const [what, mutate] of Object.entries(MUTATIONS)) {
    it(`validateCheckpointState refuses ${what} in one line`, () => {
      const j = structuredClone(base);
      mutate(j);
      try {
        const file = parseModelFile(JSON.stringify(j), 'c.json');
        validateCheckpointState(file, 'c.json');
        throw new Error('accepted');
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(RnnError);
        expectOneLine(e as RnnError, what);
      }
    });
  }

  it('500 random mutations of the trainer state: validateCheckpointState passes or throws one RnnError', () => {
    const f = new Fuzz(606);
    const hostile = [null, -1, 1.5, 'x', [], {}, true, 2 ** 60, 1e308, [1, 2, 3, 4]];
    const walk = (v: unknown, out: string[][], path: string[] = []) => {
      out.push(path);
      if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(x, out, [...path, k]);
    };
    const paths: string[][] = [];
    walk(base.checkpoint.json, paths);
    let refused = 0;
    for (let k = 0; k < 500; k++) {
      const j = structuredClone(base);
      const path = f.pick(paths.filter((p) => p.length > 0));
      let o = j.checkpoint.json;
      for (const key of path.slice(0, -1)) o = o[key];
      o[path.at(-1)!] = f.pick(hostile);
      try {
        validateCheckpointState(parseModelFile(JSON.stringify(j), 'c.json'));
      } catch (e) {
        if (!(e instanceof RnnError)) throw new Error(`${path.join('.')}: ${(e as Error).stack}`);
        expectOneLine(e, path.join('.'));
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(400);
  });

  it('checkResumeFits refuses a short carried state, a short moment and a cursor past the stream', () => {
    const file = parseModelFile(JSON.stringify(base), 'c.json');
    const tensors = file.checkpoint!.tensors;
    const moments = new Map(Object.entries(tensors).filter(([n]) => n.startsWith('optimizer.')).map(([n, v]) => [n.slice(10), v.data]));
    const want = { stateSize: tensors['state.carried'].data.length, moments, streamLength: 1000, cursor: 10 };
    expect(() => checkResumeFits(file, want)).not.toThrow();
    expect(() => checkResumeFits(file, { ...want, stateSize: want.stateSize + 1 })).toThrow(/carried/);
    const [name, m] = [...moments][0];
    expect(() => checkResumeFits(file, { ...want, moments: new Map<string, { length: number }>([...moments, [name, { length: m.length + 1 }]]) })).toThrow(/optimizer/);
    expect(() => checkResumeFits(file, { ...want, cursor: 1001 })).toThrow(/cursor/);
  });

  // Without validateCheckpointState / checkResumeFits these were a hang (string step), internal
  // errors (exit 70) and silent resumes from a damaged state.
  for (const what of ['a string step (hung the trainer)', 'a missing optimiser moment', 'an rng that is not 4 words', 'a huge model in the options', 'a huge cursor']) {
    it(`rnn train --resume with ${what}: a clean error (exit 1 or 2)`, () => {
      const j = structuredClone(base);
      MUTATIONS[what](j);
      writeFileSync(join(t.dir, 'bad.ckpt.json'), JSON.stringify(j));
      const r = rnn(['train', '--resume', 'bad.ckpt.json', '--quiet', '--steps', '8'], { cwd: t.dir, timeout: 5_000 });
      expect(isCleanError(r), `exit ${r.code}: ${r.stderr.slice(0, 300)}`).toBe(true);
    });
  }
});
