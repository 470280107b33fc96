import chalk from 'chalk';
import type { Command } from 'commander';
import { loadModel } from '../api/load.js';
import { describeCell } from '../engine/config.js';
import { RnnError } from '../errors.js';
import { probeScale, surprisalScale, type ColourScale } from '../inspect/scale.js';
import { parseProbe, traceText, visibleToken, type Trace } from '../inspect/trace.js';
import { INSPECT_OPTIONS } from '../options.js';
import { EOS_ID } from '../tokenizer/tokens.js';
import type { Vocab } from '../tokenizer/vocab.js';
import { chooseModel, MODEL_OPTION, refuseModelsAsTexts } from './model-arg.js';
import { cliOption } from './options.js';
import { fmt, info, out, printJson, warn } from './output.js';
import { readTextFile } from './read-text.js';
import { interactive } from './streams.js';

interface InspectFlags {
  model?: string;
  file?: string;
  top?: number;
  neuron?: string;
  gate?: string;
  json: boolean;
}

export function inspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('a text as the model reads it: each character coloured by its surprisal, a hidden unit or a gate')
    .argument('[text]', 'the text to read (or --file)')
    .option(...MODEL_OPTION)
    .option('-f, --file <path>', 'read this UTF-8 file ("-" for stdin)')
    .addOption(cliOption(INSPECT_OPTIONS.top))
    .option('--neuron <L:N>', 'colour by unit N of layer L (both counted from 1) after each character')
    .option('--gate <[L:]g>', "colour by a gate's mean activation after each character: lstm i f g o, gru r z n (layer L, default the top)")
    .option('--json', 'the numbers of every position on stdout', false)
    .addHelpText('after', `
The surprisal of a character is −log₂ p, in bits, p its probability given all of the text before
it (for a bidirectional model: given both sides) — read as one stream from a zero state, as
\`rnn eval perplexity\` reads a text; bits/char is their mean. --top K lists, at each position, the
characters the model found most probable there. In colour on a terminal the text is shown
coloured with a legend; otherwise (a pipe, NO_COLOR, --no-color, or with --top) as a table, one
character per row.`)
    .action(async (text: string | undefined, flags: InspectFlags) => {
      if (text !== undefined) refuseModelsAsTexts([text], false);
      if (text !== undefined && flags.file !== undefined) {
        throw new RnnError('a text and --file exclude each other', { expected: 'one of them', got: 'both', kind: 'usage' });
      }
      if (flags.neuron !== undefined && flags.gate !== undefined) {
        throw new RnnError('--neuron and --gate exclude each other', { expected: 'one of them', got: 'both', kind: 'usage' });
      }
      const input = text ?? (flags.file !== undefined ? readTextFile(flags.file, '--file') : undefined);
      if (input === undefined) {
        throw new RnnError('nothing to inspect', { hint: 'give a text, e.g. rnn inspect --model m.json "To be, or not to be", or --file text.txt', kind: 'usage' });
      }
      const loaded = await loadModel(chooseModel(flags.model));
      try {
        const { model, vocab } = loaded;
        const cell = describeCell(model.config);
        const probe = flags.neuron !== undefined ? parseProbe('neuron', flags.neuron, model.layers, cell)
          : flags.gate !== undefined ? parseProbe('gate', flags.gate, model.layers, cell) : null;
        const { ids, unknown } = vocab.encode(input, { start: true });
        if (unknown > 0) warn(`${unknown} character(s) are not in the model's vocabulary and were read as <UNK>`);
        const trace = traceText(model, ids, { top: flags.top, probe });
        const values = trace.chars.map((c) => c.value ?? 0);
        const scale = probe ? probeScale(probe, values) : surprisalScale;
        if (flags.json) {
          printJson({
            model: loaded.path, infill: trace.infill, totalBits: trace.totalBits, bitsPerChar: trace.totalBits / trace.chars.length,
            measure: probe ? scale.label : null,
            positions: trace.chars.map((c) => ({ char: vocab.tokenName(c.id), bits: c.bits, ...(probe ? { value: c.value } : {}), ...(flags.top ? { top: c.top.map((t) => ({ char: vocab.tokenName(t.id), p: t.p })) } : {}) })),
          });
          return;
        }
        const colour = interactive('stdout') && chalk.level > 0;
        if (colour && flags.top === undefined) out(`${colouredText(trace, vocab, scale, probe ? values : null)}\n\n${legend(scale)}\n`);
        else out(table(trace, vocab, probe !== null));
        const what = trace.infill ? 'each character predicted from both sides' : 'each character predicted from the text before it';
        info(`${fmt(trace.totalBits, 1)} bits in all, ${fmt(trace.totalBits / trace.chars.length, 3)} bits/char over ${trace.chars.length} characters (${what})`);
      } finally {
        loaded.close();
      }
    });
}

function paint(scale: ColourScale, v: number, s: string): string {
  const [r, g, b] = scale.colour(v);
  return chalk.bgRgb(r, g, b).rgb(20, 20, 20)(s);
}

/** The text, each character on its colour; a sequence end shows as ⏎ before its line break. */
function colouredText(trace: Trace, vocab: Vocab, scale: ColourScale, values: readonly number[] | null): string {
  return trace.chars.map((c, i) => {
    const v = values ? values[i]! : c.bits;
    if (c.id === EOS_ID) return `${paint(scale, v, '⏎')}${vocab.separator}`;
    const t = vocab.decode([c.id]);
    return t === '\n' ? `${paint(scale, v, '⏎')}\n` : paint(scale, v, t);
  }).join('');
}

function legend(scale: ColourScale): string {
  return `${scale.ticks.map((t) => paint(scale, t, ` ${Number(t.toFixed(2))} `)).join('')}  ${scale.label}`;
}

/** One row per character: position, character, bits, the probe's value, the top predictions. */
function table(trace: Trace, vocab: Vocab, probe: boolean): string {
  const rows = trace.chars.map((c, i) => {
    const cells = [String(i + 1).padStart(6), visibleToken(vocab, c.id).padEnd(5), fmt(c.bits, 3).padStart(7)];
    if (probe) cells.push(fmt(c.value, 4).padStart(8));
    if (c.top.length > 0) cells.push('  ' + c.top.map((t) => `${visibleToken(vocab, t.id)} ${t.p.toFixed(3)}`).join('  '));
    return cells.join('  ');
  });
  const head = ['   pos', 'char ', '   bits', ...(probe ? ['   value'] : []), ...(trace.chars[0]?.top.length ? ['  most probable here'] : [])].join('  ');
  return [head, ...rows].join('\n') + '\n';
}
