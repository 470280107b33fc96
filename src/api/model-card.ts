import { describeCell } from '../engine/config.js';
import { fmt, fmtDuration } from '../util/format.js';
import type { LoadedModel } from './load.js';

/**
 * What a model is, as labelled lines: its shape, size, vocabulary, corpus, split, training and
 * lineage. `rnn info` prints them; the report page shows them as its model card.
 */
export function modelCard(loaded: LoadedModel): [label: string, value: string][] {
  const { model, vocab, file } = loaded;
  const c = model.config;
  const t = file.training;
  const n = (x: number): string => x.toLocaleString('en-US');
  const parameters = parameterCount(loaded);
  const dropout = c.dropout > 0 ? `, dropout ${c.dropout} ${c.layers > 1 ? 'between layers' : 'before the output layer'}` : '';
  const last = t.history.at(-1);
  const seconds = last?.seconds ?? null;
  const rows: [string, string][] = [
    ['model', loaded.path],
    ['cell', describeCell(c)],
    ['layers', `${c.layers} × ${c.hidden} hidden${dropout}`],
    ['parameters', n(parameters)],
    ['vocabulary', `${vocab.size} ids (<EOS>, <UNK> + ${vocab.chars.length} characters), eos mode ${vocab.eos}`],
    ['corpus', `${t.corpus.name} (${n(t.corpus.bytes)} bytes, sha256 ${t.corpus.sha256.slice(0, 16)}…)`],
    ['split', `${n(t.split.trainTokens)} train / ${n(t.split.valTokens)} validation tokens${t.split.mode === 'random' ? ' (random lines)' : ''}`],
    ['training', `${t.steps} steps, seed ${t.seed}, best validation loss ${fmt(t.bestValLoss, 4)} nats/char`],
  ];
  if (seconds !== null) rows.push(['time', `${fmtDuration(seconds)} of training`]);
  rows.push(['last eval', last ? `step ${last.step}: train ${fmt(last.trainLoss, 4)}, val ${fmt(last.valLoss, 4)}` : '–']);
  for (const [k, base] of (t.lineage ?? []).entries()) {
    rows.push([k === 0 ? 'fine-tuned' : '', `from ${base.name} (${base.steps} steps on ${base.corpus.name}, sha256 ${base.sha256.slice(0, 16)}…)`]);
  }
  return rows;
}

/** Learnable numbers in the model. */
export function parameterCount(loaded: Pick<LoadedModel, 'model'>): number {
  return loaded.model.params.reduce((s, p) => s + p.data.length, 0);
}
