import type { Ora } from 'ora';
import type { ProgressReport, TrainEvents } from '../train/events.js';
import { historyHeader, historyRow } from './history.js';
import { fmt, fmtDuration, info, printJson, warn } from './output.js';
import { interactive, isClosed } from './streams.js';

const LN2 = Math.log(2);

function line(p: ProgressReport): string {
  const val = p.valLoss === null ? 'val –' : `val ${fmt(p.valLoss, 3)}`;
  return [
    `step ${p.step}`,
    `epoch ${(p.epoch + p.epochProgress).toFixed(2)}`,
    `loss ${fmt(p.trainLoss, 3)} nats (${fmt(p.trainLoss / LN2, 3)} bpc)`,
    val,
    `${Math.round(p.charsPerSecond).toLocaleString('en-US')} chars/s`,
    `|g| ${fmt(p.gradNorm, 2)}${p.clipRate > 0 ? ` (clip ${Math.round(p.clipRate * 100)}%)` : ''}`,
    `ETA ${fmtDuration(p.etaSeconds)}`,
  ].join('  ');
}

/** Validation losses in the live line: the last few as a sparkline. */
const SPARK = 24;
const BARS = '▁▂▃▄▅▆▇█';
export function sparkline(xs: readonly number[]): string {
  const lo = Math.min(...xs), hi = Math.max(...xs);
  return xs.map((x) => BARS[hi > lo ? Math.round(((x - lo) / (hi - lo)) * (BARS.length - 1)) : 0]).join('');
}

/**
 * Renders training events: an ora spinner line on an interactive terminal, plain lines (every few
 * seconds) otherwise (a pipe, a file, TERM=dumb, CI), and JSON lines on stdout with --json.
 * Everything but --json goes to stderr.
 */
export async function progressRenderer(opts: { json: boolean; quiet: boolean }): Promise<TrainEvents & { stop(): void }> {
  const tty = interactive('stderr') && !opts.quiet;
  const ora = tty ? (await import('ora')).default : null; // loaded only for a terminal (it costs ~0.1 s to load)
  let spinner: Ora | null = null;
  let lastPlain = 0;
  const vals: number[] = [];
  const say = (msg: string) => {
    if (opts.quiet) return;
    if (spinner) spinner.clear();
    info(msg);
    if (spinner) spinner.render();
  };
  return {
    progress(p) {
      if (opts.json) printJson({ type: 'progress', ...p });
      if (opts.quiet) return;
      if (ora && !isClosed('stderr')) {
        spinner ??= ora({ stream: process.stderr, discardStdin: false, hideCursor: false, isEnabled: true }).start();
        spinner.text = vals.length > 1 ? `${line(p)}  val ${sparkline(vals.slice(-SPARK))}` : line(p);
      } else if (p.elapsedSeconds - lastPlain >= 5 || lastPlain === 0) {
        lastPlain = Math.max(p.elapsedSeconds, 1e-9);
        info(line(p));
      }
    },
    evaluated(e) {
      if (opts.json) printJson({ type: 'eval', step: e.step, valLoss: e.valLoss, improved: e.improved });
      vals.push(e.valLoss);
      if (vals.length === 1) say(`${historyHeader()}   (losses in nats/char; * best so far, saved)`);
      say(historyRow(e.entry, e.improved));
    },
    samples(step, samples) {
      if (samples.length === 0) return;
      if (opts.json) printJson({ type: 'samples', step, samples });
      for (const s of samples) say(`--- sample at step ${step}, temperature ${s.temperature} ---\n${s.text}\n---`);
    },
    saved() {},
    planned(p) {
      if (opts.json) printJson({ type: 'schedule', ...p });
      const why = p.basis === 'time' ? 'the steps that fit in --max-time at the speed so far, revised at each evaluation' : 'the step limit';
      say(`learning rate: down to ${Number(p.finalLr.toPrecision(3))} by step ${p.steps.toLocaleString('en-US')} (${why})`);
    },
    warning(message) {
      if (opts.json) printJson({ type: 'warning', message });
      if (spinner) spinner.clear();
      warn(message);
    },
    stop() {
      spinner?.stop();
      spinner = null;
    },
  };
}
