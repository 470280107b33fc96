import { existsSync } from 'node:fs';

/** The chromium the browser tests drive (CHROMIUM_PATH, or Debian's), or null: those tests skip and say so. */
export const CHROMIUM: string | null = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : null);
if (CHROMIUM === null) console.log('browser tests skipped: no chromium (install it at /usr/bin/chromium, e.g. apt-get install -y chromium, or set CHROMIUM_PATH)');
