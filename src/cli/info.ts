import type { Command } from 'commander';
import { loadModel } from '../api/load.js';
import { describeCell } from '../engine/config.js';
import { fmt, printJson } from './output.js';

export function infoCommand(program: Command): void {
  program
    .command('info')
    .description("a model's configuration, size, vocabulary and training history")
    .option('-m, --model <path>', 'model file', 'model.json')
    .option('--json', 'machine-readable result on stdout', false)
    .action(async (flags: { model: string; json: boolean }) => {
      const loaded = await loadModel(flags.model);
      try {
        const { model, vocab, file } = loaded;
        const c = model.config;
        const parameters = model.params.reduce((s, p) => s + p.data.length, 0);
        const t = file.training;
        if (flags.json) {
          printJson({ path: loaded.path, config: c, parameters, vocab: { size: vocab.size, eos: vocab.eos, chars: vocab.chars.length }, training: t });
          return;
        }
        const last = t.history.at(-1);
        const out = [
          `model       ${loaded.path}`,
          `cell        ${describeCell(c)}`,
          `layers      ${c.layers} × ${c.hidden} hidden${c.dropout > 0 ? `, dropout ${c.dropout}` : ''}`,
          `parameters  ${parameters.toLocaleString('en-US')}`,
          `vocabulary  ${vocab.size} ids (<EOS>, <UNK> + ${vocab.chars.length} characters), eos mode ${vocab.eos}`,
          `corpus      ${t.corpus.name} (${t.corpus.bytes.toLocaleString('en-US')} bytes, sha256 ${t.corpus.sha256.slice(0, 16)}…)`,
          `split       ${t.split.trainTokens.toLocaleString('en-US')} train / ${t.split.valTokens.toLocaleString('en-US')} validation tokens`,
          `training    ${t.steps} steps, seed ${t.seed}, best validation loss ${fmt(t.bestValLoss, 4)} nats/char`,
          `last eval   ${last ? `step ${last.step}: train ${fmt(last.trainLoss, 4)}, val ${fmt(last.valLoss, 4)}` : '–'}`,
        ];
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        loaded.close();
      }
    });
}
