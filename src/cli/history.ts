import type { HistoryEntry } from '../model-io/index.js';
import { lineChart } from './chart.js';
import { fmt, fmtDuration } from './output.js';

/**
 * A run's history as people read it: a table (the rows `rnn train` prints as it evaluates, and
 * `rnn info`'s), CSV for spreadsheets, and a terminal chart of the losses against steps.
 */
interface Column {
  head: string;
  width: number;
  cell(e: HistoryEntry): string;
  csv(e: HistoryEntry): string;
}

const num = (v: number | null, digits: number): string => (v === null ? '' : v.toFixed(digits));
const COLUMNS: Column[] = [
  { head: 'step', width: 8, cell: (e) => String(e.step), csv: (e) => String(e.step) },
  { head: 'epoch', width: 5, cell: (e) => String(e.epoch), csv: (e) => String(e.epoch) },
  { head: 'train', width: 7, cell: (e) => fmt(e.trainLoss, 4), csv: (e) => num(e.trainLoss, 6) },
  { head: 'val', width: 7, cell: (e) => fmt(e.valLoss, 4), csv: (e) => num(e.valLoss, 6) },
  { head: 'lr', width: 9, cell: (e) => (e.lr === null ? '–' : e.lr.toPrecision(3)), csv: (e) => (e.lr === null ? '' : String(e.lr)) },
  { head: '|g|', width: 7, cell: (e) => fmt(e.gradNorm, 2), csv: (e) => num(e.gradNorm, 4) },
  { head: 'clip', width: 5, cell: (e) => (e.clipRate === null ? '–' : `${Math.round(100 * e.clipRate)}%`), csv: (e) => num(e.clipRate, 4) },
  { head: 'chars/s', width: 9, cell: (e) => (e.charsPerSecond === null ? '–' : Math.round(e.charsPerSecond).toLocaleString('en-US')), csv: (e) => num(e.charsPerSecond, 0) },
  { head: 'time', width: 8, cell: (e) => fmtDuration(e.seconds), csv: (e) => num(e.seconds, 1) },
];
const CSV_HEAD = ['step', 'epoch', 'train_loss', 'val_loss', 'lr', 'grad_norm', 'clip_rate', 'chars_per_s', 'seconds'];

export function historyHeader(): string {
  return COLUMNS.map((c) => c.head.padStart(c.width)).join(' ');
}

/** One row; `best` marks the best validation loss so far. */
export function historyRow(e: HistoryEntry, best = false): string {
  return COLUMNS.map((c) => c.cell(e).padStart(c.width)).join(' ') + (best ? ' *' : '');
}

/** The history as CSV (nats/char, seconds), one row per evaluation. */
export function historyCsv(history: readonly HistoryEntry[]): string {
  return [CSV_HEAD.join(','), ...history.map((e) => COLUMNS.map((c) => c.csv(e)).join(','))].join('\n') + '\n';
}

/** The index of the lowest validation loss, or −1. */
export function bestIndex(history: readonly HistoryEntry[]): number {
  let best = -1;
  history.forEach((e, i) => {
    if (e.valLoss !== null && (best < 0 || e.valLoss < history[best]!.valLoss!)) best = i;
  });
  return best;
}

/** At most `max` rows, evenly spread, always with the first, the last and the best. */
export function thin(history: readonly HistoryEntry[], max: number): number[] {
  const n = history.length;
  if (n <= max) return history.map((_, i) => i);
  const keep = new Set<number>([0, n - 1]);
  const best = bestIndex(history);
  if (best >= 0) keep.add(best);
  for (let k = 0; keep.size < max && k < max; k++) keep.add(Math.round((k * (n - 1)) / (max - 1)));
  return [...keep].sort((a, b) => a - b);
}

/**
 * Train and validation loss against steps, `width` columns by `height` rows (chart.ts); no lines
 * when there is nothing to draw.
 */
export function lossChart(history: readonly HistoryEntry[], opts: { width: number; height: number; color: boolean }): string[] {
  if (history.length < 2) return [];
  const series = (['trainLoss', 'valLoss'] as const).map((k) => history.filter((e) => e[k] !== null).map((e): [number, number] => [e.step, e[k]!]));
  const steps = series.filter((s) => s.length > 0);
  const range = steps.length === 0 ? '' : `, steps ${Math.min(...steps.map((s) => s[0]![0]))}–${Math.max(...steps.map((s) => s.at(-1)![0]))}`;
  return lineChart([{ name: 'train', points: series[0]! }, { name: 'validation', points: series[1]! }], {
    ...opts, format: (x) => x.toFixed(3).padStart(7), caption: `nats/char${range}`,
  });
}
