import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { ALL_JOBS, runBench, runJob } from '../bench/main.js';
import { describeJobs } from '../bench/workloads.js';
import { BACKENDS, fastestBackend, type Backend } from '../engine/kernels/index.js';
import { RnnError } from '../errors.js';
import { out, printJson } from './output.js';
import { BENCH_OPTIONS } from '../options.js';
import { cliOption } from './options.js';

interface BenchFlags {
  config?: string[];
  compare: boolean;
  threads?: number;
  kernels?: Backend;
  seconds?: number;
  budget?: number;
  child?: string;
}

/** --config C3,S128: known job names, upper-cased. */
function jobList(value: string): string[] {
  const jobs = value.split(',').map((s) => s.trim().toUpperCase());
  const bad = jobs.filter((j) => !ALL_JOBS.includes(j));
  if (bad.length > 0) {
    throw new RnnError(`unknown configuration ${bad.join(', ')}`, { expected: ALL_JOBS.join(', '), got: value, hint: 'e.g. --config C2,S128', kind: 'usage' });
  }
  return jobs;
}

export function benchCommand(program: Command): void {
  program
    .command('bench')
    .description('training, sampling and evaluation throughput of the standard configurations')
    .addOption(new Option('--config <jobs>', `comma-separated jobs: ${ALL_JOBS.join(', ')} (default: all)`).argParser(jobList))
    .addOption(new Option('--compare', 'run the PyTorch reference (scripts/torch_charlm.py) on each job too and print the ratios').default(false))
    .addOption(cliOption(BENCH_OPTIONS.threads))
    .addOption(new Option('--kernels <kind>', `${BACKENDS.join(', ')} (default: the fastest built)`).choices(BACKENDS))
    .addOption(cliOption(BENCH_OPTIONS.seconds))
    .addOption(cliOption(BENCH_OPTIONS.budget))
    .addOption(new Option('--child <job>', 'run one job in this process and print it as JSON').hideHelp())
    .addHelpText('after', `\nJobs (character models of tinyshakespeare, V = 65):\n${describeJobs().map((l) => `  ${l}`).join('\n')}`)
    .action(async (flags: BenchFlags) => {
      if (flags.child !== undefined) {
        printJson(await runJob(jobList(flags.child)[0]!, flags.threads ?? availableParallelism(), flags.kernels ?? fastestBackend(), flags.seconds ?? 1));
        return;
      }
      await runBench({
        configs: flags.config, compare: flags.compare, threads: flags.threads, kernels: flags.kernels,
        seconds: flags.seconds, budget: flags.budget, log: (line) => out(line + '\n'),
      });
    });
}
