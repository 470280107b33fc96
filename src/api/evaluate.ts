import { existsSync } from 'node:fs';
import { RnnError } from '../errors.js';
import { evaluate as evaluateLeft, type EvalOptions, type EvalResult } from '../eval/evaluate.js';
import { evaluateInfill } from '../eval/infill.js';
import { readCorpus, splitTrainVal } from '../tokenizer/corpus.js';
import type { LoadedModel } from './load.js';
import { defaultCorpusPath } from '../tokenizer/corpus.js';

export interface FileEvalResult extends EvalResult {
  /** What was evaluated, in words. */
  source: string;
  infill: boolean;
  /** Windows line ends (CRLF) read as '\n'. */
  crlf: number;
}

/**
 * Perplexity of a model on files, or (no files) on its own validation split: the same corpus
 * re-read, checked against the recorded SHA-256, and split as in training.
 */
export async function evaluateFiles(
  loaded: LoadedModel, files: string[], opts: { batch?: number; seqLength?: number } = {},
): Promise<FileEvalResult> {
  const { model, vocab, file } = loaded;
  // a bidirectional model: the infill perplexity, each character predicted from both sides
  const infill = model.config.bidirectional;
  const evaluate = (m: typeof model, ids: ArrayLike<number>, o: EvalOptions): EvalResult => (infill ? evaluateInfill(m, ids, o) : evaluateLeft(m, ids, o));
  if (files.length > 0) {
    const corpus = await readCorpus(files, { text: true });
    const { ids, unknown } = vocab.encode(corpus.data, { start: true, source: corpus.name });
    const r = evaluate(model, ids, opts);
    return { ...r, unknown, source: corpus.name, infill, crlf: corpus.crlf };
  }
  const t = file.training;
  const paths = Array.isArray(t.options.corpus) && t.options.corpus.length > 0 ? (t.options.corpus as string[]) : [defaultCorpusPath];
  const corpus = paths.every((p) => existsSync(p)) ? await readCorpus(paths) : null;
  if (!corpus || corpus.sha256 !== t.corpus.sha256) {
    throw new RnnError(`cannot find the corpus ${loaded.path} was trained on to evaluate its validation split`, {
      expected: `${t.corpus.name} (sha256 ${t.corpus.sha256.slice(0, 16)}…)`,
      got: corpus ? `a different file at ${paths.join(', ')}` : `no readable file at ${paths.join(', ')}`,
      hint: 'give the text to evaluate: rnn eval perplexity --model m.json held-out.txt',
    });
  }
  const { ids } = vocab.encode(corpus.data, { start: true, source: corpus.name });
  const split = splitTrainVal(ids, t.split.valFraction);
  const r = evaluate(model, split.val, opts);
  return { ...r, source: `validation split of ${t.corpus.name} (last ${(t.split.valFraction * 100).toFixed(1)}%)`, infill, crlf: 0 };
}
