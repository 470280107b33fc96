import * as asciichart from 'asciichart';
import chalk from 'chalk';
import type { HistoryEntry } from '../model-io/index.js';
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

/** y at x by straight lines between the points (x ascending); the ends held flat. */
function interpolate(points: readonly [number, number][], x: number): number {
  let k = 0;
  while (k < points.length - 1 && points[k + 1]![0] < x) k++;
  const [x0, y0] = points[k]!;
  const [x1, y1] = points[Math.min(k + 1, points.length - 1)]!;
  return x1 === x0 || x <= x0 ? y0 : x >= x1 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

type Symbols = NonNullable<asciichart.PlotConfig['symbols']>;
const THIN: Symbols = ['┼', '┤', '╶', '╴', '─', '╰', '╭', '╮', '╯', '│'];
const DOUBLE: Symbols = ['┼', '┤', '╶', '╴', '═', '╚', '╔', '╗', '╝', '║'];

/**
 * Train and validation loss against steps, `width` columns by `height` rows. In colour the two
 * lines differ by colour; in plain text the validation line is drawn double (═) over the train line.
 * Returns no lines when there is nothing to draw.
 */
export function lossChart(history: readonly HistoryEntry[], opts: { width: number; height: number; color: boolean }): string[] {
  const series = (['trainLoss', 'valLoss'] as const).map((k) => history.filter((e) => e[k] !== null).map((e): [number, number] => [e.step, e[k]!]));
  const drawn = series.filter((s) => s.length > 0);
  if (drawn.length === 0 || history.length < 2) return [];
  const from = Math.min(...drawn.map((s) => s[0]![0])), to = Math.max(...drawn.map((s) => s.at(-1)![0]));
  const columns = Math.max(2, Math.min(opts.width, to - from + 1));
  const grid = (s: [number, number][]) => (s.length === 0 ? [] : Array.from({ length: columns }, (_, c) => interpolate(s, from + ((to - from) * c) / (columns - 1))));
  const [train, val] = series.map(grid);
  const all = [...train!, ...val!];
  const cfg = { height: opts.height, min: Math.min(...all), max: Math.max(...all), format: (x: number) => x.toFixed(3).padStart(7) };
  let plot: string[];
  if (opts.color) {
    plot = asciichart.plot([train!, val!].filter((s) => s.length > 0), { ...cfg, colors: [asciichart.blue, asciichart.yellow].slice(train!.length > 0 ? 0 : 1) }).split('\n');
  } else {
    const under = train!.length > 0 ? asciichart.plot(train!, { ...cfg, symbols: THIN }).split('\n') : null;
    const over = val!.length > 0 ? asciichart.plot(val!, { ...cfg, symbols: DOUBLE }).split('\n') : null;
    plot = (over ?? under)!.map((row, r) => (under && over ? [...row].map((ch, i) => (ch === ' ' ? [...under[r]!][i] ?? ' ' : ch)).join('') : row));
  }
  const legend = opts.color
    ? `${' '.repeat(9)}${chalk.blue('── train')}   ${chalk.yellow('── validation')}   nats/char, steps ${from}–${to}`
    : `${' '.repeat(9)}── train   ══ validation   nats/char, steps ${from}–${to}`;
  return [...plot, legend];
}
