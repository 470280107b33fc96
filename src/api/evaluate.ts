import { evaluate, type EvalResult } from '../eval/evaluate.js';
import { readCorpus } from '../tokenizer/corpus.js';
import type { LoadedModel } from './load.js';
import { trainingText } from './training-corpus.js';

export interface FileEvalResult extends EvalResult {
  /** What was evaluated, in words. */
  source: string;
  infill: boolean;
  /** Windows line ends (CRLF) read as '\n'. */
  crlf: number;
}

/** Perplexity of a model on files, or (no files) on its own validation split (training-corpus.ts). */
export async function evaluateFiles(
  loaded: LoadedModel, files: string[], opts: { batch?: number; seqLength?: number } = {},
): Promise<FileEvalResult> {
  const { model, vocab, file } = loaded;
  const infill = model.infill !== null; // the infill perplexity, each character predicted from both sides
  if (files.length > 0) {
    const corpus = await readCorpus(files, { text: true });
    const { ids, unknown } = vocab.encode(corpus.data, { start: true, source: corpus.name });
    const r = evaluate(model, ids, opts);
    return { ...r, unknown, source: corpus.name, infill, crlf: corpus.crlf };
  }
  const t = file.training;
  const text = await trainingText(loaded, 'to evaluate its validation split', 'give the text to evaluate: rnn eval perplexity --model m.json held-out.txt');
  const r = evaluate(model, text.split.val, opts);
  const what = text.mode === 'tail' ? 'last' : 'random lines,';
  return { ...r, source: `validation split of ${t.corpus.name} (${what} ${(t.split.valFraction * 100).toFixed(1)}%)`, infill, crlf: 0 };
}
