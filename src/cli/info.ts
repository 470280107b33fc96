import chalk from 'chalk';
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { loadModel } from '../api/load.js';
import { modelCard, parameterCount } from '../api/model-card.js';
import { describeCell } from '../engine/config.js';
import { RnnError } from '../errors.js';
import { loadModelFile, modelsIn, type HistoryEntry } from '../model-io/index.js';
import { bestIndex, historyCsv, historyHeader, historyRow, lossChart, thin } from './history.js';
import { chooseModel, MODEL_OPTION } from './model-arg.js';
import { fmt, out, printJson } from './output.js';
import { interactive } from './streams.js';

const isFolder = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export function infoCommand(program: Command): void {
  program
    .command('info')
    .description("a model's configuration, size, vocabulary and training history; for a folder, its models")
    .argument('[model]', 'model file or folder (the same as --model)')
    .option(...MODEL_OPTION)
    .option('--all', 'every row of the training history (default: a screen\'s worth)', false)
    .option('--csv', 'only the training history, as CSV', false)
    .option('--json', 'machine-readable result on stdout', false)
    .action(async (positional: string | undefined, flags: { model?: string; all: boolean; csv: boolean; json: boolean }) => {
      const given = flags.model ?? positional;
      // a folder, or no model named and the current folder holds several: list them
      if ((given !== undefined && isFolder(given)) || (given === undefined && modelsIn('.').length > 1)) {
        listFolder(given ?? '.', flags.json);
        return;
      }
      const loaded = await loadModel(chooseModel(flags.model, positional));
      try {
        const { model, vocab, file } = loaded;
        const c = model.config;
        const parameters = parameterCount(loaded);
        const t = file.training;
        if (flags.json) {
          printJson({ path: loaded.path, config: c, parameters, vocab: { size: vocab.size, eos: vocab.eos, chars: vocab.chars.length }, training: t, kernels: loaded.kernels });
          return;
        }
        if (flags.csv) {
          out(historyCsv(t.history));
          return;
        }
        const lines = [...modelCard(loaded), ['runs on', loaded.kernels]].map(([label, value]) => `${label.padEnd(11)} ${value}`);
        out(`${lines.join('\n')}\n${historyText(t.history, flags.all)}`);
      } finally {
        loaded.close();
      }
    });
}

/** The loss chart and the history table, sized to the terminal (a screen's worth of rows unless `all`). */
function historyText(history: readonly HistoryEntry[], all: boolean): string {
  if (history.length === 0) return '';
  const tty = interactive('stdout');
  const height = 10;
  const chart = lossChart(history, { width: tty ? Math.min(100, (process.stdout.columns ?? 80) - 12) : 60, height, color: tty && chalk.level > 0 });
  const rows = all ? history.length : tty ? Math.max(10, (process.stdout.rows ?? 40) - height - 16) : 20;
  const best = bestIndex(history);
  const shown = thin(history, rows);
  const table = [historyHeader(), ...shown.map((i) => historyRow(history[i]!, i === best))];
  const note = shown.length < history.length ? [`(${shown.length} of ${history.length} rows; --all for every row, --csv for a spreadsheet; * the best)`] : ['(* the best validation loss)'];
  return ['', ...chart, '', ...table, ...note, ''].join('\n');
}

/** The models in a folder, one line each: name, shape, steps, corpus, best validation loss. */
function listFolder(dir: string, json: boolean): void {
  const rows = modelsIn(dir).map((path) => {
    try {
      const f = loadModelFile(path);
      return { path, model: `${describeCell(f.config)} ${f.config.layers}×${f.config.hidden}`, steps: f.training.steps, corpus: f.training.corpus.name, bestValLoss: f.training.bestValLoss };
    } catch (e) {
      return { path, model: null, steps: null, corpus: null, bestValLoss: null, error: (e as Error).message };
    }
  });
  if (rows.length === 0) {
    throw new RnnError(`no model files in ${dir}`, { hint: '`rnn train book.txt` writes book.json' });
  }
  if (json) {
    printJson(rows);
    return;
  }
  const name = Math.max(5, ...rows.map((r) => basename(r.path).length));
  const kind = Math.max(5, ...rows.map((r) => (r.model ?? 'damaged').length));
  out(`${'model'.padEnd(name)}  ${'shape'.padEnd(kind)}  ${'steps'.padStart(7)}  ${'best val'.padStart(8)}  corpus\n`);
  for (const r of rows) {
    out(`${basename(r.path).padEnd(name)}  ${(r.model ?? 'damaged').padEnd(kind)}  ${String(r.steps ?? '–').padStart(7)}  ${fmt(r.bestValLoss, 4).padStart(8)}  ${r.corpus ?? ''}\n`);
  }
}
