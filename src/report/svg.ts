/**
 * Line charts as inline SVG for the report page: series of (x, y) points against linear axes (y
 * optionally log10), with "nice" ticks (1, 2, 5 × 10^k), a legend and axis titles. Each series is
 * one <polyline data-series="name" data-points="n">, so a test can count what was drawn.
 */
export interface SvgSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  colour: string;
  dashed?: boolean;
}

export interface SvgChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** y on a log10 scale (values ≤ 0 are left out). */
  logY?: boolean;
  width?: number;
  height?: number;
  /** How a y tick reads [3 significant digits]. */
  formatY?(y: number): string;
  /** How an x tick reads [the number, grouped]. */
  formatX?(x: number): string;
}

const MARGIN = { left: 64, right: 16, top: 34, bottom: 44 };

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Ticks at 1, 2 or 5 × 10^k covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export function svgLineChart(series: readonly SvgSeries[], o: SvgChartOptions): string {
  const W = o.width ?? 560, H = o.height ?? 300;
  const ty = (y: number): number => (o.logY ? Math.log10(y) : y);
  const shown = series.map((s) => ({ ...s, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0)) }));
  const all = shown.flatMap((s) => s.points);
  const head = `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(o.title)}"><title>${escapeXml(o.title)}</title>`;
  const titleText = `<text class="chart-title" x="${MARGIN.left}" y="20">${escapeXml(o.title)}</text>`;
  if (all.length === 0) return `${head}${titleText}<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text></svg>`;

  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...all.map((p) => ty(p[1]))), Math.max(...all.map((p) => ty(p[1])))];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  const floor = !o.logY && y0 >= 0 ? 0 : -Infinity; // a share or a norm: the axis stays at or above 0
  if (y1 === y0) [y0, y1] = [y0 - (Math.abs(y0) || 1) * 0.1, y1 + (Math.abs(y1) || 1) * 0.1];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [Math.max(floor, y0 - pad), y1 + pad];
  const px = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0)) * (W - MARGIN.left - MARGIN.right);
  const py = (y: number): number => H - MARGIN.bottom - ((ty(y) - y0) / (y1 - y0)) * (H - MARGIN.top - MARGIN.bottom);
  const fmtY = o.formatY ?? ((y: number) => (o.logY ? y.toExponential(0) : String(Number(y.toPrecision(3)))));
  const fmtX = o.formatX ?? ((x: number) => x.toLocaleString('en-US'));

  const parts: string[] = [head, titleText];
  // y grid and ticks: powers of ten on a log axis
  const yTicks = o.logY ? niceTicks(Math.ceil(y0), Math.floor(y1), 5).filter(Number.isInteger).map((e) => 10 ** e) : niceTicks(y0, y1, 5);
  for (const y of yTicks) {
    const Y = py(y).toFixed(1);
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${W - MARGIN.right}" y1="${Y}" y2="${Y}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 6}" y="${Y}" text-anchor="end" dominant-baseline="middle">${escapeXml(fmtY(y))}</text>`);
  }
  for (const x of niceTicks(x0, x1, 6)) {
    const X = px(x).toFixed(1);
    parts.push(`<line class="grid" x1="${X}" x2="${X}" y1="${MARGIN.top}" y2="${H - MARGIN.bottom}"/>`);
    parts.push(`<text class="tick" x="${X}" y="${H - MARGIN.bottom + 16}" text-anchor="middle">${escapeXml(fmtX(x))}</text>`);
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${H - MARGIN.bottom}"/>`);
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${W - MARGIN.right}" y1="${H - MARGIN.bottom}" y2="${H - MARGIN.bottom}"/>`);
  parts.push(`<text class="axis-title" x="${(MARGIN.left + W - MARGIN.right) / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text class="axis-title" transform="translate(14 ${(MARGIN.top + H - MARGIN.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);

  let lx = W - MARGIN.right;
  for (const s of [...shown].reverse()) { // legend, right-aligned at the top
    const w = 28 + s.name.length * 6.5;
    lx -= w + 10;
    parts.push(`<line x1="${lx}" x2="${lx + 20}" y1="16" y2="16" stroke="${s.colour}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    parts.push(`<text class="legend" x="${lx + 25}" y="16" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  }
  for (const s of shown) {
    const pts = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="series" data-series="${escapeXml(s.name)}" data-points="${s.points.length}" points="${pts}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
