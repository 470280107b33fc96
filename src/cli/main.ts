import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { kernelsLine } from '../api/kernels.js';
import { benchCommand } from './bench.js';
import { evalCommand } from './eval.js';
import { fillCommand } from './fill.js';
import { gradcheckCommand } from './gradcheck.js';
import { gradientsCommand } from './gradients.js';
import { infoCommand } from './info.js';
import { inspectCommand } from './inspect.js';
import { exportCommand, importCommand } from './interop.js';
import { EXIT_USAGE, reportError } from './output.js';
import { reportCommand } from './report.js';
import { sampleCommand } from './sample.js';
import { scoreCommand } from './score.js';
import { configureColor, watchOutputs, write } from './streams.js';
import { trainCommand } from './train.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('rnn')
    .description('Character-level RNN, LSTM and GRU language models on the CPU: train, sample, evaluate.')
    .version(`${version()}\n${kernelsLine()}`)
    .option('--no-color', 'no colours in the output (also: NO_COLOR=1)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => void write('stderr', s), writeOut: (s) => void write('stdout', s) });
  for (const add of [trainCommand, sampleCommand, fillCommand, evalCommand, scoreCommand, inspectCommand, gradientsCommand, reportCommand, exportCommand, importCommand, gradcheckCommand, infoCommand, benchCommand]) {
    add(program, version());
  }
  return program;
}

/** Runs the CLI; the only place that sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  // A reader that stops early (`rnn sample | head`) is not an error (streams.ts).
  watchOutputs();
  configureColor(argv);
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its message already; help and --version are not errors.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    process.exitCode = reportError(err);
  }
}
