import chalk from 'chalk';

/**
 * stdout and stderr as the CLI uses them. A reader that goes away — a closed pipe (`| head`), a
 * closed terminal (EIO after SIGHUP) — is noted, never a crash: later writes to that stream are
 * dropped, and whoever listens (training: stop and save) is told. With no listener, a closed
 * stdout ends the process quietly with exit 0 (the reader has what it wanted); a closed stderr
 * only silences the logs.
 */
export type OutputName = 'stdout' | 'stderr';

const closed: Record<OutputName, boolean> = { stdout: false, stderr: false };
const listeners = new Set<(name: OutputName) => void>();

export function watchOutputs(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', () => {
      if (closed[name]) return;
      closed[name] = true;
      if (listeners.size > 0) for (const fn of listeners) fn(name);
      else if (name === 'stdout') process.exit(0);
    });
  }
}

/** Call `fn` when stdout or stderr closes; returns the function that stops listening. */
export function onOutputClosed(fn: (name: OutputName) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function isClosed(name: OutputName): boolean {
  return closed[name];
}

/** Writes unless the stream has closed; returns false when the reader is gone or the buffer is full. */
export function write(name: OutputName, text: string): boolean {
  if (closed[name]) return false;
  return process[name].write(text);
}

/**
 * Writes to stdout and waits while its buffer is full (a slow reader), so a long stream
 * (`rnn sample -n 5000000 | head -c 10`) notices a closed pipe at once. Resolves false once
 * stdout is closed.
 */
export async function writeOut(text: string): Promise<boolean> {
  if (closed.stdout) return false;
  if (!process.stdout.write(text)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        resolve();
      };
      process.stdout.once('drain', done).once('error', done);
    });
  } else {
    await new Promise<void>((resolve) => setImmediate(resolve)); // let an EPIPE land
  }
  return !closed.stdout;
}

/**
 * A live display (spinner, redrawn lines) only where a person watches a real terminal: a TTY
 * whose TERM is not "dumb", outside CI. Elsewhere progress falls back to plain lines.
 */
export function interactive(name: OutputName = 'stderr'): boolean {
  return process[name].isTTY === true && process.env.TERM !== 'dumb' && !('CI' in process.env);
}

/**
 * Colour follows no-color.org: off with --no-color, or NO_COLOR set to anything but "" (unless
 * FORCE_COLOR asks for it); chalk itself reads FORCE_COLOR and the terminal's support.
 */
export function configureColor(argv: readonly string[]): void {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '' && process.env.FORCE_COLOR === undefined;
  if (noColor || argv.includes('--no-color')) chalk.level = 0;
}
