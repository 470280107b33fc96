import { samplerPayload } from '../browser/build-payload.js';
import { samplerScripts } from '../browser/page-scripts.js';
import { RnnError } from '../errors.js';
import { gradientReach } from '../inspect/reach.js';
import { traceText, visibleToken } from '../inspect/trace.js';
import { reportPage, type Excerpt } from '../report/page.js';
import { sample } from '../sample/sample.js';
import { randomSeed } from '../util/rng.js';
import { analysisText } from './analysis-text.js';
import { loadModel } from './load.js';
import { modelCard } from './model-card.js';

export interface ReportOptions {
  /** The held-out text to colour and to measure the gradient on [the model's validation split]. */
  files?: readonly string[];
  /** The samples' seed [random]. */
  seed?: number;
  /** "rnn 0.3.0" */
  generator: string;
}

export interface Report {
  html: string;
  seed: number;
  /** Sections left out, and why. */
  notes: string[];
}

/** Characters of held-out text shown coloured by surprisal. */
const EXCERPT_CHARS = 800;
/** Predictions listed on hover. */
const EXCERPT_TOP = 5;
/** The page's samples: their temperatures and length. */
const SAMPLE_TEMPERATURES = [0.5, 1.0, 1.5];
const SAMPLE_LENGTH = 400;

/** One self-contained HTML page about a model (report/page.ts): what it is, how it trained, what it does. */
export async function buildReport(path: string, opts: ReportOptions): Promise<Report> {
  const loaded = await loadModel(path);
  try {
    const { model, vocab, file } = loaded;
    const leftToRight = model.probe !== null;
    const notes: string[] = [];
    const files = opts.files ?? [];
    const text = await analysisText(loaded, files, `rnn report ${path} --text held-out.txt`).catch((e: unknown) => {
      if (!(e instanceof RnnError) || files.length > 0) throw e; // a text the user named must be there
      notes.push(`No held-out text, so no gradient reach and no coloured excerpt: ${e.message}${e.hint ? ` (${e.hint})` : ''}.`);
      return null;
    });
    let excerpt: Excerpt | null = null;
    let reach = null;
    if (text) {
      const trace = traceText(model, text.ids.subarray(0, EXCERPT_CHARS + 1), { top: EXCERPT_TOP });
      excerpt = {
        source: text.source, infill: trace.infill, bitsPerChar: trace.totalBits / trace.chars.length,
        chars: trace.chars.map((c) => ({ text: vocab.decode([c.id]), name: visibleToken(vocab, c.id), bits: c.bits, top: c.top.map((t) => ({ text: visibleToken(vocab, t.id), p: t.p })) })),
      };
      if (leftToRight) {
        try {
          reach = { ...gradientReach(model, text.ids), source: text.source };
        } catch (e) {
          if (!(e instanceof RnnError)) throw e;
          notes.push(`No gradient reach: ${e.message}.`);
        }
      }
    }
    if (!leftToRight) notes.push('A bidirectional model predicts each character from both sides: it fills gaps (rnn fill) rather than writing text, so the page has no samples, no sampler and no gradient reach (left-to-right models only).');
    const seed = opts.seed ?? randomSeed();
    const samples = leftToRight
      ? SAMPLE_TEMPERATURES.map((temperature) => ({ temperature, seed, length: SAMPLE_LENGTH, text: sample(model, vocab, { temperature, seed, length: SAMPLE_LENGTH }).text }))
      : [];
    const html = reportPage({
      title: `${file.training.corpus.name}: ${model.config.layers}×${model.config.hidden} ${model.config.cell}`,
      modelName: path,
      card: modelCard(loaded),
      history: file.training.history,
      reach, excerpt, samples,
      sampler: leftToRight ? samplerScripts(samplerPayload(file)) : null,
      notes,
      generatedBy: `${opts.generator}, ${new Date().toISOString().slice(0, 10)}`,
    });
    return { html, seed, notes };
  } finally {
    loaded.close();
  }
}
