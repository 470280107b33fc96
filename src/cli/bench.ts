import type { Command } from 'commander';

export function benchCommand(program: Command): void {
  program
    .command('bench')
    .description('training, sampling and evaluation throughput for the standard configurations (SPEC 8)')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const entry = '../bench/main.js'; // TEMP until the bench harness lands
      const { benchMain } = (await import(entry)) as { benchMain(args: string[]): Promise<number> };
      process.exitCode = await benchMain(args);
    });
}
