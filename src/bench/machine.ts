import { cpus, availableParallelism, totalmem } from 'node:os';

/** One line naming the machine: CPU model, cores, memory, Node version. */
export function machineLine(): string {
  const c = cpus();
  const model = c[0]?.model.trim() ?? 'unknown CPU';
  return `machine: ${model}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version} (V8 ${process.versions.v8})`;
}
