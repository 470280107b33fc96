/**
 * Fine-tuning (--init-from base.json, torch-rnn's -init_from): a new run starts from a trained
 * model's weights, shape and vocabulary, with a fresh optimiser. Characters of the new corpus that
 * the base lacks become <UNK>, or with --extend-vocab get ids of their own: the vocabulary is the
 * union (ids stay sorted by code point, so the base's rows and columns move to their new ids) and
 * the new ids keep the fresh model's initialisation. The model records where it came from.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ModelConfig } from '../engine/config.js';
import type { Param } from '../engine/types.js';
import { RnnError } from '../errors.js';
import { loadModelFile, type LineageEntry, type ModelFile } from '../model-io/index.js';
import { sha256Hex } from '../tokenizer/corpus.js';
import { CharCounts } from '../tokenizer/segment.js';
import { RESERVED } from '../tokenizer/tokens.js';
import { Vocab } from '../tokenizer/vocab.js';

export interface Base {
  path: string;
  file: ModelFile;
  /** SHA-256 of the base model file's bytes. */
  sha256: string;
}

export function loadBase(path: string): Base {
  const file = loadModelFile(path, '--init-from');
  return { path, file, sha256: sha256Hex(readFileSync(path)) };
}

type Shape = Omit<ModelConfig, 'vocabSize'>;

/**
 * The fine-tuned model's shape is the base's; only dropout may be set anew. A shape option given
 * that differs from the base's is an error.
 */
export function fineTuneShape(base: Base, given: Partial<Shape> = {}): Shape {
  const { vocabSize: _v, ...shape } = base.file.config;
  for (const [k, v] of Object.entries(given)) {
    if (k !== 'dropout' && v !== undefined && v !== shape[k as keyof Shape]) {
      throw new RnnError(`--init-from keeps the base model's shape: ${k} is ${JSON.stringify(shape[k as keyof Shape])} in ${base.path}`, {
        expected: `${k} ${JSON.stringify(shape[k as keyof Shape])} (or not given)`, got: `${k} ${JSON.stringify(v)}`, kind: 'usage',
        hint: 'leave the model options out (only --dropout may change), or train a new model without --init-from',
      });
    }
  }
  return { ...shape, dropout: given.dropout ?? shape.dropout };
}

/**
 * The vocabulary of the fine-tuned model, and the new corpus's characters the base lacks: how many
 * of them occur, and which (most frequent first).
 */
export function fineTuneVocab(base: Base, data: Uint8Array, extend: boolean, source: string): { vocab: Vocab; missing: number; missingChars: string[] } {
  const v = base.file.vocab;
  const counts = CharCounts.of(data, v.eos, source).entries().filter(([cp]) => !v.has(cp));
  const missing = counts.reduce((s, [, n]) => s + n, 0);
  const missingChars = counts.sort((a, b) => b[1] - a[1]).map(([cp]) => String.fromCodePoint(cp));
  if (!extend || counts.length === 0) return { vocab: v, missing, missingChars };
  const chars = [...v.chars, ...counts.map(([cp]) => cp)].sort((a, b) => a - b);
  return { vocab: new Vocab(v.eos, chars, v.minCount, null), missing, missingChars };
}

/**
 * Copies the base's weights into a freshly initialised model of the (possibly larger) vocabulary:
 * tensors of the same shape whole; those with a vocabulary axis (the first layer's weight_ih
 * columns, the head's rows) id by id, each base character to its new id.
 */
export function transferWeights(base: Base, vocab: Vocab, params: readonly Param[]): void {
  const old = base.file.vocab;
  const Vo = old.size, Vn = vocab.size;
  const id = Int32Array.from({ length: Vo }, (_, k) => (k < RESERVED.length ? k : vocab.idOf(old.chars[k - RESERVED.length]!)));
  for (const p of params) {
    const src = base.file.params[p.name];
    if (!src) throw new RnnError(`${base.path} lacks ${p.name}`, { hint: 'the base model is damaged' });
    const same = src.shape.length === p.shape.length && src.shape.every((d, k) => d === p.shape[k]);
    if (same) {
      p.data.set(src.data);
      continue;
    }
    const [R, C] = p.shape.length === 2 ? p.shape : [p.shape[0]!, 1];
    if (src.shape[0] === Vo && R === Vn) {
      // rows by id: the head's weight (V, H) and bias (V)
      for (let k = 0; k < Vo; k++) p.data.set(src.data.subarray(k * C!, (k + 1) * C!), id[k]! * C!);
    } else if (src.shape[1] === Vo && C === Vn) {
      // columns by id: the first layer's weight_ih (G·H, V)
      for (let r = 0; r < R!; r++) for (let k = 0; k < Vo; k++) p.data[r * Vn + id[k]!] = src.data[r * Vo + k]!;
    } else {
      throw new RnnError(`${base.path}: ${p.name} does not fit`, { expected: `[${p.shape.join(', ')}]`, got: `[${src.shape.join(', ')}]`, hint: 'the base model is damaged' });
    }
  }
}

/** The new model's lineage: the base, then the base's own. */
export function lineageOf(base: Base): LineageEntry[] {
  const t = base.file.training;
  return [{ sha256: base.sha256, name: basename(base.path), corpus: { name: t.corpus.name, sha256: t.corpus.sha256 }, steps: t.steps }, ...(t.lineage ?? [])];
}
