import type { Command } from 'commander';
import { benchMain } from '../bench/main.js';

export function benchCommand(program: Command): void {
  program
    .command('bench')
    .description('training, sampling and evaluation throughput for the standard configurations (SPEC 8); --help for options')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      process.exitCode = await benchMain(args);
    });
}
