import { existsSync } from 'node:fs';
import { RnnError } from '../errors.js';
import { defaultCorpusPath, readCorpus, splitCorpus, type Corpus, type Split, type SplitMode } from '../tokenizer/corpus.js';
import type { TokenIds } from '../tokenizer/vocab.js';
import type { LoadedModel } from './load.js';

export interface TrainingText {
  corpus: Corpus;
  /** The corpus as the model was trained on it: <EOS> first, every character's id. */
  ids: TokenIds;
  split: Split;
  mode: SplitMode;
}

/**
 * The corpus a model was trained on, re-read from the recorded paths, checked against the
 * recorded SHA-256, and split as in training (for its validation split and novelty reports).
 */
export async function trainingText(loaded: LoadedModel, need: string, hint = 'put the corpus back where it was trained from'): Promise<TrainingText> {
  const t = loaded.file.training;
  const paths = Array.isArray(t.options.corpus) && t.options.corpus.length > 0 ? (t.options.corpus as string[]) : [defaultCorpusPath];
  const corpus = paths.every((p) => existsSync(p)) ? await readCorpus(paths) : null;
  if (!corpus || corpus.sha256 !== t.corpus.sha256) {
    throw new RnnError(`cannot find the corpus ${loaded.path} was trained on, ${need}`, {
      expected: `${t.corpus.name} (sha256 ${t.corpus.sha256.slice(0, 16)}…)`,
      got: corpus ? `a different file at ${paths.join(', ')}` : `no readable file at ${paths.join(', ')}`,
      hint,
    });
  }
  const { ids } = loaded.vocab.encode(corpus.data, { start: true, source: corpus.name });
  const mode = t.split.mode ?? 'tail';
  return { corpus, ids, split: splitCorpus(ids, t.split.valFraction, mode, t.seed), mode };
}
