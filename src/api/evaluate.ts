import { evaluate, type EvalResult } from '../eval/evaluate.js';
import { analysisText } from './analysis-text.js';
import type { LoadedModel } from './load.js';

export interface FileEvalResult extends EvalResult {
  /** What was evaluated, in words. */
  source: string;
  infill: boolean;
  /** Windows line ends (CRLF) read as '\n'. */
  crlf: number;
}

/** Perplexity of a model on files, or (no files) on its own validation split (analysis-text.ts). */
export async function evaluateFiles(
  loaded: LoadedModel, files: string[], opts: { batch?: number; seqLength?: number } = {},
): Promise<FileEvalResult> {
  const text = await analysisText(loaded, files, 'rnn eval perplexity --model m.json held-out.txt');
  const r = evaluate(loaded.model, text.ids, opts);
  // a bidirectional model: the infill perplexity, each character predicted from both sides
  return { ...r, source: text.source, infill: loaded.model.infill !== null, crlf: text.crlf };
}
