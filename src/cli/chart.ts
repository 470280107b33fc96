import * as asciichart from 'asciichart';
import chalk from 'chalk';

/**
 * Terminal line charts (asciichart): several series against one x axis, resampled to the width.
 * In colour the series differ by colour; in plain text by their line (─, ═, ━), drawn in order,
 * each over the ones before it.
 */
export interface Series {
  name: string;
  /** (x, y) with x ascending. */
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  width: number;
  height: number;
  color: boolean;
  /** A y value as its axis label (7 characters or so). */
  format(y: number): string;
  /** What follows the legend: units, the x range. */
  caption: string;
}

type Symbols = NonNullable<asciichart.PlotConfig['symbols']>;
const LINES: { symbols: Symbols; legend: string; color: asciichart.Color; paint(s: string): string }[] = [
  { symbols: ['┼', '┤', '╶', '╴', '─', '╰', '╭', '╮', '╯', '│'], legend: '──', color: asciichart.blue, paint: chalk.blue },
  { symbols: ['┼', '┤', '╶', '╴', '═', '╚', '╔', '╗', '╝', '║'], legend: '══', color: asciichart.yellow, paint: chalk.yellow },
  { symbols: ['┼', '┤', '╶', '╴', '━', '┗', '┏', '┓', '┛', '┃'], legend: '━━', color: asciichart.green, paint: chalk.green },
  { symbols: ['┼', '┤', '╶', '╴', '┄', '╰', '╭', '╮', '╯', '┆'], legend: '┄┄', color: asciichart.magenta, paint: chalk.magenta },
];

/** y at x by straight lines between the points; the ends held flat. */
function interpolate(points: Series['points'], x: number): number {
  let k = 0;
  while (k < points.length - 1 && points[k + 1]![0] < x) k++;
  const [x0, y0] = points[k]!;
  const [x1, y1] = points[Math.min(k + 1, points.length - 1)]!;
  return x1 === x0 || x <= x0 ? y0 : x >= x1 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

/** The chart's lines, legend last; none when there is nothing to draw. */
export function lineChart(series: readonly Series[], opts: ChartOptions): string[] {
  const drawn = series.map((s, i) => ({ s, line: LINES[i % LINES.length]! })).filter(({ s }) => s.points.length > 0);
  if (drawn.length === 0) return [];
  const from = Math.min(...drawn.map(({ s }) => s.points[0]![0]));
  const to = Math.max(...drawn.map(({ s }) => s.points.at(-1)![0]));
  if (to === from) return [];
  const columns = Math.max(2, Math.min(opts.width, Math.floor(to - from) + 1));
  const grids = drawn.map(({ s }) => Array.from({ length: columns }, (_, c) => interpolate(s.points, from + ((to - from) * c) / (columns - 1))));
  const all = grids.flat();
  const cfg = { height: opts.height, min: Math.min(...all), max: Math.max(...all), format: opts.format };
  let plot: string[];
  if (opts.color) {
    plot = asciichart.plot(grids, { ...cfg, colors: drawn.map(({ line }) => line.color) }).split('\n');
  } else {
    const layers = grids.map((g, i) => [...asciichart.plot(g, { ...cfg, symbols: drawn[i]!.line.symbols }).split('\n')].map((row) => [...row]));
    plot = layers[0]!.map((_, r) => layers[0]![r]!.map((_, c) => layers.reduceRight((ch, layer) => (ch !== ' ' ? ch : layer[r]![c] ?? ' '), ' ')).join(''));
  }
  const legend = drawn.map(({ s, line }) => (opts.color ? line.paint(`${line.legend} ${s.name}`) : `${line.legend} ${s.name}`)).join('   ');
  return [...plot, `${' '.repeat(9)}${legend}   ${opts.caption}`];
}
