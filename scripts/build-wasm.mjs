#!/usr/bin/env node
// Compiles the WebAssembly kernels (asm/*.ts, AssemblyScript) into dist/wasm/:
//   kernels-simd.wasm             v128 SIMD
//   kernels-relaxed.wasm          v128 SIMD + relaxed-SIMD FMA (used when the runtime supports it)
//   kernels-{simd,relaxed}-single.wasm   the same instructions on a memory that is not shared
// The first two import a shared memory 'env.memory' so that worker threads can run the same kernels
// on it; the single ones serve one thread where shared memory is not to be had (a web page that is
// not cross-origin isolated). asm/ uses no atomics, so only the memory's type differs.
// src/engine/kernels/wasm-node.ts reads these names.
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'wasm');
mkdirSync(out, { recursive: true });

const common = [
  join(root, 'asm', 'index.ts'),
  '-O3', '--noAssert', '--runtime', 'stub',
  '--importMemory', '--initialMemory', '17', '--maximumMemory', '32768',
  '--enable', 'simd',
];
const shared = ['--sharedMemory', '--enable', 'threads'];
const relaxed = ['--enable', 'relaxed-simd'];
const builds = [
  ['kernels-simd', shared], ['kernels-relaxed', [...shared, ...relaxed]],
  ['kernels-simd-single', []], ['kernels-relaxed-single', relaxed],
];
for (const [name, extra] of builds) {
  const { error, stderr } = await asc.main([...common, ...extra, '--outFile', join(out, `${name}.wasm`)]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${name}: ${error.message}`);
    process.exit(1);
  }
}
console.log(`build-wasm: ${builds.map(([name]) => `dist/wasm/${name}.wasm`).join(', ')}`);
