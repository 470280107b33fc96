import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { RnnError } from '../errors.js';
import { looksLikeModel, modelsIn } from '../model-io/index.js';
import { info } from './output.js';

/** --model as every reading command declares it. */
export const MODEL_OPTION = ['-m, --model <path>', 'model file (default: the only model in this folder)'] as const;

/**
 * The model a reading command uses: --model, else a positional path (`rnn sample m.json`, the
 * char-rnn habit), else the only model in the current folder, named on stderr. No model or
 * several: an error that lists what the folder holds.
 */
export function chooseModel(flag: string | undefined, positional?: string): string {
  if (flag !== undefined && positional !== undefined && flag !== positional) {
    throw new RnnError('two models given', { expected: 'one model, as --model or as the argument', got: `--model ${flag} and ${positional}`, kind: 'usage' });
  }
  const given = flag ?? positional;
  if (given !== undefined) return given;
  const found = modelsIn('.');
  if (found.length === 1) {
    info(`model: ${basename(found[0]!)} (the only model in this folder)`);
    return found[0]!;
  }
  if (found.length === 0) {
    throw new RnnError('no model given, and this folder holds none', {
      expected: 'a model file', kind: 'usage',
      hint: 'give its path, e.g. --model book.json; `rnn train book.txt` writes book.json',
    });
  }
  const names = found.map((p) => basename(p));
  throw new RnnError(`this folder holds ${found.length} models: say which`, {
    expected: 'one model', got: names.slice(0, 8).join(', ') + (names.length > 8 ? `, and ${names.length - 8} more` : ''), kind: 'usage',
    hint: `e.g. --model ${names[0]} (\`rnn info .\` lists them with their losses)`,
  });
}

/**
 * Texts given where a model file is (`rnn eval perplexity m.json`, `rnn score m.json "text"`):
 * a usage error that says so, instead of evaluating or scoring the model file's JSON.
 */
export function refuseModelsAsTexts(texts: readonly string[], filesOnly: boolean): void {
  const model = texts.find((t) => (filesOnly || existsSync(t)) && looksLikeModel(t));
  if (model !== undefined) {
    throw new RnnError(`${model} is a model file, not a text`, {
      expected: 'texts after the options', got: `the model ${model}`, kind: 'usage',
      hint: `give the model with --model ${model}`,
    });
  }
}
