import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { EXPORT_FORMATS, EXTENSIONS, exportModel, importModel, type ExportFormat } from '../api/interop.js';
import { assertWritable, displayPath, withExtension } from '../api/paths.js';
import { RnnError } from '../errors.js';
import { saveModelFile, summarizeModel, writeFileAtomic } from '../model-io/index.js';
import { chooseModel, MODEL_OPTION } from './model-arg.js';
import { info } from './output.js';

/** An output that exists is replaced only with --force. */
function refuseOverwrite(path: string, force: boolean): void {
  if (!force && existsSync(path)) {
    throw new RnnError(`${displayPath(path)} exists: not replacing it`, { expected: 'a new file', got: 'an existing file', hint: 'choose another -o, or add --force to replace it', kind: 'usage' });
  }
  assertWritable(path, '--output');
}

function formatNamed(name: string): ExportFormat {
  const format = EXPORT_FORMATS.find((f) => f === name.toLowerCase());
  if (format === undefined) throw new RnnError(`unknown export format: ${name}`, { expected: EXPORT_FORMATS.join(' or '), got: name, kind: 'usage' });
  return format;
}

export function exportCommand(program: Command): void {
  program
    .command('export')
    .description('write a model for other tools: safetensors (PyTorch) or ONNX')
    .argument('[model]', 'model file (the same as --model)')
    .option(...MODEL_OPTION)
    .option('--format <format>', `${EXPORT_FORMATS.join(' or ')} (default: from the -o extension, else safetensors)`)
    .option('-o, --output <path>', "the file to write (default: the model's name with .safetensors or .onnx, beside it)")
    .option('--force', 'replace an existing output file', false)
    .addHelpText('after', `
safetensors: the weights under their torch.nn names (rnn.weight_ih_l0, …, out.weight, out.bias),
float32, with the configuration, the vocabulary and the training record in its metadata: one file
that python/rnn_torch.py loads into PyTorch and \`rnn import\` reads back, unchanged.
ONNX: the next-character log-probabilities, with each layer's state as inputs and outputs so that
a caller can step it one character at a time, or score a whole sequence (T × B tokens) at once.`)
    .action((positional: string | undefined, flags: { model?: string; format?: string; output?: string; force: boolean }) => {
      const model = chooseModel(flags.model, positional);
      const fromExt = flags.output === undefined ? undefined : EXPORT_FORMATS.find((f) => extname(flags.output!).toLowerCase() === EXTENSIONS[f]);
      const format = flags.format === undefined ? (fromExt ?? 'safetensors') : formatNamed(flags.format);
      const output = flags.output ?? withExtension(model, EXTENSIONS[format]);
      refuseOverwrite(output, flags.force);
      const bytes = exportModel(model, format);
      writeFileAtomic(output, bytes);
      info(`${format}: ${displayPath(output)} (${Math.ceil(bytes.length / 1024)} kB)`);
    });
}

export function importCommand(program: Command): void {
  program
    .command('import')
    .description('read a model from a safetensors file that rnn export or rnn_torch.save wrote')
    .argument('<file>', 'the .safetensors file')
    .option('-o, --output <path>', "the model file to write (default: the file's name with .json, beside it)")
    .option('--force', 'replace an existing model file', false)
    .action((path: string, flags: { output?: string; force: boolean }) => {
      const output = flags.output ?? withExtension(path, '.json');
      refuseOverwrite(output, flags.force);
      const file = importModel(path);
      saveModelFile(output, file);
      info(`model: ${displayPath(output)} (${summarizeModel(file)})`);
    });
}
