import type { Command } from 'commander';
import { evaluateFiles } from '../api/evaluate.js';
import { loadModel } from '../api/load.js';
import { chooseModel, MODEL_OPTION, refuseModelsAsTexts } from './model-arg.js';
import { fmt, info, out, printJson, warn } from './output.js';
import { EVAL_OPTIONS } from '../options.js';
import { cliOption } from './options.js';

interface EvalFlags {
  model?: string;
  batchSize: number;
  seqLength: number;
  json: boolean;
}

/** A share of <UNK> in an evaluated text worth a warning: its figure says little about the text. */
const UNK_WARN_SHARE = 0.001;

export function evalCommand(program: Command): void {
  const evalCmd = program.command('eval').description('measure a model');
  evalCmd
    .command('perplexity')
    .description("nats/char, bits/char and perplexity on text files (default: the model's validation split)")
    .argument('[file...]', 'UTF-8 text files ("-" for stdin)')
    .option(...MODEL_OPTION)
    .addOption(cliOption(EVAL_OPTIONS.batchSize))
    .addOption(cliOption(EVAL_OPTIONS.seqLength))
    .option('--json', 'machine-readable result on stdout', false)
    .addHelpText('after', `
nats/char is the mean of −ln p over the text's characters (and the <EOS> that ends each line, for
a model trained with --eos line), each predicted from all of the text before it: one stream, the
state carried through the whole text. bits/char = nats/char / ln 2, perplexity = e^(nats/char).
A bidirectional model predicts each character from both sides (the infill perplexity).`)
    .action(async (files: string[], flags: EvalFlags) => {
      refuseModelsAsTexts(files, true);
      const loaded = await loadModel(chooseModel(flags.model));
      try {
        const r = await evaluateFiles(loaded, files, { batch: flags.batchSize, seqLength: flags.seqLength });
        if (r.crlf > 0) warn(`${r.source}: ${r.crlf.toLocaleString('en-US')} Windows line ends (CRLF) read as newlines`);
        if (r.unknown >= UNK_WARN_SHARE * r.tokens) {
          warn(`${r.unknown.toLocaleString('en-US')} of the ${r.tokens.toLocaleString('en-US')} characters (${((100 * r.unknown) / r.tokens).toFixed(1)}%) ` +
            "are not in the model's vocabulary: each was predicted as <UNK>, so the figure is not comparable with a text the model knows");
        }
        if (flags.json) {
          printJson(r);
          return;
        }
        info(`${r.source}${r.infill ? ' — infill perplexity (each character predicted from both sides)' : ''}`);
        const approximate = r.parts > 1 ? `approximate  ${r.parts} parts, each from a zero state (--batch-size 1 gives the exact figure)\n` : '';
        out(`tokens      ${r.tokens}\nnats/char   ${fmt(r.nats)}\nbits/char   ${fmt(r.bits)}\nperplexity  ${fmt(r.perplexity, 3)}\nunknown     ${r.unknown}\n${approximate}`);
      } finally {
        loaded.close();
      }
    });
}
