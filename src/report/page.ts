import type { HistoryEntry } from '../model-io/index.js';
import type { ReachResult } from '../inspect/reach.js';
import { REACH_RATIO } from '../inspect/reach.js';
import { surprisalScale } from '../inspect/scale.js';
import { fmt } from '../util/format.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';
import { escapeXml, svgLineChart, type SvgSeries } from './svg.js';

/** Everything the report page shows, gathered by api/report.ts; this file only lays it out. */
export interface ReportContent {
  title: string;
  /** The model file as the user named it (for the commands the page shows). */
  modelName: string;
  card: [label: string, value: string][];
  history: readonly HistoryEntry[];
  /** Left-to-right models only. */
  reach: (ReachResult & { source: string }) | null;
  excerpt: Excerpt | null;
  samples: { temperature: number; seed: number; length: number; text: string }[];
  /** The <script> elements of the in-page sampler (browser/page-scripts.ts); null: none (bidirectional). */
  sampler: string | null;
  /** Why a section is missing, in words. */
  notes: string[];
  /** "rnn 0.3.0, 2026-11-30" */
  generatedBy: string;
}

export interface Excerpt {
  source: string;
  infill: boolean;
  bitsPerChar: number;
  chars: { text: string; name: string; bits: number; top: { text: string; p: number }[] }[];
}

const COLOURS = { train: '#3b6fb6', val: '#e08a1e', lr: '#6a51a3', grad: '#2b8a3e', clip: '#c92a2a' };
const LAYER_COLOURS = ['#3b6fb6', '#e08a1e', '#2b8a3e', '#c92a2a', '#6a51a3', '#0b7285'];

const pointsOf = (history: readonly HistoryEntry[], x: (e: HistoryEntry) => number | null, y: (e: HistoryEntry) => number | null): [number, number][] =>
  history.flatMap((e) => {
    const [a, b] = [x(e), y(e)];
    return a === null || b === null ? [] : [[a, b] as [number, number]];
  });

function historyCharts(h: readonly HistoryEntry[]): string {
  const loss = (x: (e: HistoryEntry) => number | null): SvgSeries[] => [
    { name: 'train', points: pointsOf(h, x, (e) => e.trainLoss), colour: COLOURS.train },
    { name: 'validation', points: pointsOf(h, x, (e) => e.valLoss), colour: COLOURS.val },
  ];
  const step = (e: HistoryEntry): number => e.step;
  const minutes = (e: HistoryEntry): number | null => (e.seconds === null ? null : e.seconds / 60);
  return [
    svgLineChart(loss(step), { title: 'Loss against steps', xLabel: 'step', yLabel: 'nats/char' }),
    svgLineChart(loss(minutes), { title: 'Loss against time', xLabel: 'minutes of training', yLabel: 'nats/char', formatX: (x) => String(Number(x.toPrecision(3))) }),
    svgLineChart([{ name: 'learning rate', points: pointsOf(h, step, (e) => e.lr), colour: COLOURS.lr }], { title: 'Learning rate', xLabel: 'step', yLabel: 'rate', formatY: (y) => y.toPrecision(2) }),
    svgLineChart([{ name: '‖g‖ before clipping', points: pointsOf(h, step, (e) => e.gradNorm), colour: COLOURS.grad }], { title: 'Gradient norm', xLabel: 'step', yLabel: 'mean ‖g‖' }),
    svgLineChart([{ name: 'steps clipped', points: pointsOf(h, step, (e) => (e.clipRate === null ? null : 100 * e.clipRate)), colour: COLOURS.clip }], { title: 'Clip rate', xLabel: 'step', yLabel: '% of steps' }),
  ].map((svg) => `<figure class="panel">${svg}</figure>`).join('');
}

function reachSection(r: NonNullable<ReportContent['reach']>): string {
  const L = r.layers.length;
  const series = r.layers.map((layer, l): SvgSeries => ({
    name: L === 1 ? '‖∂J⟨t⟩/∂h⟨t−k⟩‖' : `layer ${l + 1}`, colour: LAYER_COLOURS[l % LAYER_COLOURS.length]!, dashed: l >= LAYER_COLOURS.length,
    points: layer.norms.map((g, k): [number, number] => [k, g]),
  }));
  const chart = svgLineChart(series, { title: 'How far back the gradient reaches', xLabel: 'k, steps back', yLabel: 'mean ‖∂J⟨t⟩/∂h⟨t−k⟩‖', logY: true, width: 720, height: 320 });
  const ratio = REACH_RATIO.toExponential(0);
  const words = r.layers.map((layer, l) => `<li>${L === 1 ? 'The gradient' : `Layer ${l + 1}`}: ${layer.reach === null ? `still above ${ratio} of its k = 0 value at k = ${r.maxDistance}` : `falls below ${ratio} of its k = 0 value at k = <b>${layer.reach}</b>`}</li>`).join('');
  return `<section><h2>Gradient reach</h2>
<p class="lead">J⟨t⟩ is the loss of one position; h⟨t−k⟩ a layer's hidden state k steps earlier. ‖∂J⟨t⟩/∂h⟨t−k⟩‖ says how much the prediction at t can still learn from step t−k: a plain RNN's fades fast (vanishing gradients), an LSTM's or GRU's carries further. Mean over ${r.positions} positions of the ${escapeXml(r.source)}.</p>
<figure class="panel wide">${chart}</figure><ul class="facts">${words}</ul></section>`;
}

function excerptSection(x: Excerpt): string {
  const spans = x.chars.map((c) => {
    const [r, g, b] = surprisalScale.colour(c.bits);
    const tip = `${c.name}  ${c.bits.toFixed(2)} bits\n${c.top.map((t) => `${t.text} ${(100 * t.p).toFixed(1)}%`).join('\n')}`;
    const shown = c.text === '\n' ? '⏎\n' : c.text;
    return `<span style="background:rgb(${r},${g},${b})" data-tip="${escapeXml(tip)}">${escapeXml(shown)}</span>`;
  }).join('');
  const legend = surprisalScale.ticks.map((t) => {
    const [r, g, b] = surprisalScale.colour(t);
    return `<span style="background:rgb(${r},${g},${b})">${t}${t === surprisalScale.ticks.at(-1) ? '+' : ''}</span>`;
  }).join('');
  const how = x.infill ? 'each character predicted from both sides' : 'each character predicted from the text before it';
  return `<section><h2>Held-out text, coloured by surprisal</h2>
<p class="lead">The first ${x.chars.length} characters of the ${escapeXml(x.source)}, ${how}: ${fmt(x.bitsPerChar, 3)} bits/char. Hover a character for its surprisal (−log₂ p) and what the model found most probable there.</p>
<div class="legend">${legend}<em>${escapeXml(surprisalScale.label)}</em></div>
<pre class="excerpt">${spans}</pre></section>`;
}

function samplesSection(samples: ReportContent['samples']): string {
  const blocks = samples.map((s) => `<figure class="sample"><figcaption>temperature ${s.temperature} · seed ${s.seed} · ${s.length} characters</figcaption><pre>${escapeXml(s.text)}</pre></figure>`).join('');
  return `<section><h2>Samples</h2><p class="lead">Lower temperatures keep to what the model finds most probable; higher ones take more risks. Each is what <code>rnn sample -t T --seed S -n N</code> prints.</p><div class="samples">${blocks}</div></section>`;
}

function samplerSection(scripts: string, model: string): string {
  return `<section id="sampler" data-model="${escapeXml(model)}"><h2>Sample in this page</h2>
<p class="lead">The model runs here, in your browser, on <code>rnn</code>'s own engine: with the same seed and settings it writes exactly what <code>rnn sample</code> prints. <span id="kernels"></span></p>
<form id="sample-form" class="controls">
<label>prime <input name="prime" value="" placeholder="text to start from"></label>
<label>temperature <input name="temperature" type="number" value="1" min="0.05" max="5" step="0.05"></label>
<label>top-p <input name="topP" type="number" value="1" min="0.01" max="1" step="0.01"></label>
<label>seed <input name="seed" type="number" value="1" min="0" step="1"></label>
<label>length <input name="length" type="number" value="400" min="1" max="20000" step="1"></label>
<button type="submit">Sample</button>
</form>
<pre id="sample-out" class="out" aria-live="polite"></pre>
<p id="sample-command" class="command"></p>
</section>
${scripts}
<script>${PAGE_SCRIPT}</script>`;
}

/** The whole page: self-contained (styles, charts, scripts and the model inline; no network). */
export function reportPage(c: ReportContent): string {
  const card = c.card.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join('');
  const notes = c.notes.map((n) => `<p class="note">${escapeXml(n)}</p>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(c.title)}</title><style>${PAGE_STYLE}</style></head>
<body><main>
<header><h1>${escapeXml(c.title)}</h1><p class="sub">a character-level language model, trained with rnn</p></header>
<section><h2>Model</h2><table class="card">${card}</table>${notes}</section>
<section><h2>Training</h2><div class="grid">${historyCharts(c.history)}</div></section>
${c.reach ? reachSection(c.reach) : ''}
${c.excerpt ? excerptSection(c.excerpt) : ''}
${c.samples.length > 0 ? samplesSection(c.samples) : ''}
${c.sampler ? samplerSection(c.sampler, c.modelName) : ''}
<footer>${escapeXml(c.generatedBy)}</footer>
</main></body></html>
`;
}
