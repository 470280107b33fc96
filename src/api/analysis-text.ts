import { RnnError } from '../errors.js';
import { readCorpus } from '../tokenizer/corpus.js';
import { UNK_ID } from '../tokenizer/tokens.js';
import type { TokenIds } from '../tokenizer/vocab.js';
import type { LoadedModel } from './load.js';
import { trainingText } from './training-corpus.js';

/** A text encoded with a model's vocabulary, for evaluating or looking inside the model. */
export interface AnalysisText {
  /** <EOS> first (an input only), then every character's id, as `Vocab.encode` makes it. */
  ids: TokenIds;
  /** What was read, in words. */
  source: string;
  /** <UNK> tokens among the predicted ones. */
  unknown: number;
  /** Windows line ends (CRLF) read as '\n'. */
  crlf: number;
}

/**
 * The given files as one text, or, with none, the model's validation split (its corpus re-read and
 * split as in training). `usage` is the command line that gives a text instead, for the hint.
 */
export async function analysisText(loaded: LoadedModel, files: readonly string[], usage: string): Promise<AnalysisText> {
  const { vocab, file } = loaded;
  if (files.length > 0) {
    const corpus = await readCorpus(files, { text: true });
    const { ids } = vocab.encode(corpus.data, { start: true, source: corpus.name });
    return { ids, unknown: unknownIn(ids), source: corpus.name, crlf: corpus.crlf };
  }
  const t = file.training;
  const hint = `give the text to read: ${usage}`;
  if (t.split.valFraction === 0) {
    throw new RnnError(`${loaded.path} was trained without a validation split`, { expected: 'a text to read', got: 'none given', hint, kind: 'usage' });
  }
  const text = await trainingText(loaded, 'to read its validation split', hint);
  const what = text.mode === 'tail' ? 'last' : 'random lines,';
  return { ids: text.split.val, unknown: unknownIn(text.split.val), source: `validation split of ${t.corpus.name} (${what} ${(t.split.valFraction * 100).toFixed(1)}%)`, crlf: 0 };
}

function unknownIn(ids: TokenIds): number {
  let n = 0;
  for (let i = 1; i < ids.length; i++) if (ids[i] === UNK_ID) n++;
  return n;
}
