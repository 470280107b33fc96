#!/usr/bin/env node
// Bundles the page's sampler (src/browser/entry.ts and the engine it runs) into one script,
// dist/browser/sampler.js, that sets globalThis.rnnSampler. Nothing of Node may be in it: a
// `node:` import fails the build.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'browser', 'sampler.js');
try {
  await build({
    entryPoints: [join(root, 'src', 'browser', 'entry.ts')],
    outfile, bundle: true, format: 'iife', platform: 'browser', target: 'es2022', minify: true,
    logLevel: 'warning',
  });
} catch {
  console.error('build-browser: the bundle failed (see above)');
  process.exit(1);
}
console.log('build-browser: dist/browser/sampler.js');
