#!/usr/bin/env node
// Builds the native kernels (native/*.cc → build/Release/rnn_native.node) with node-gyp, for this
// machine's vector unit (-march=native), against the Node headers already here: no download.
// Optional: where there is no compiler (or RNN_SKIP_NATIVE_BUILD is set) it prints one line and
// rnn runs on its WebAssembly kernels. `npm ci` runs it (the package's install script).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The line to print when the install goes on without the addon. */
const skip = (why) => `rnn: native kernels not built (${why}); rnn will use its WebAssembly kernels`;

function build() {
  if (process.env.RNN_SKIP_NATIVE_BUILD) return skip('RNN_SKIP_NATIVE_BUILD is set');
  if (process.platform === 'win32') return skip('not supported on Windows yet');
  // node-gyp: the one npm runs scripts with, else npm's own copy beside this node
  const gyp = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].find((p) => p && existsSync(p));
  if (!gyp) return skip('node-gyp not found');
  // the headers of the running node, installed beside it (Debian's /usr/include/node, official tarballs' include/node)
  const nodedir = process.env.npm_config_nodedir || resolve(dirname(process.execPath), '..');
  if (!existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) return skip(`no Node headers in ${nodedir}/include/node`);
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=error'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(join(root, 'build'), { recursive: true, force: true });
    const lines = `${r.stderr ?? ''}\n${r.error?.message ?? ''}`.split('\n');
    const first = lines.find((l) => /not found|No such|error:/i.test(l)) ?? lines.find((l) => /error/i.test(l)) ?? `exit code ${r.status}`;
    return skip(`the build failed: ${first.trim().slice(0, 160)}`);
  }
  const { isa } = require(join(root, 'build', 'Release', 'rnn_native.node'));
  return `rnn: native kernels built for ${isa}`;
}

console.log(build());
