#!/usr/bin/env node
// Compiles the WebAssembly kernels (asm/*.ts, AssemblyScript) into dist/wasm/:
//   kernels-simd.wasm     v128 SIMD
//   kernels-relaxed.wasm  v128 SIMD + relaxed-SIMD FMA (used when the runtime supports it)
// Both import a shared memory 'env.memory' so that worker threads can run the same kernels on it.
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
  '--importMemory', '--sharedMemory', '--initialMemory', '17', '--maximumMemory', '32768',
  '--enable', 'simd', '--enable', 'threads',
];
for (const [name, extra] of [['kernels-simd', []], ['kernels-relaxed', ['--enable', 'relaxed-simd']]]) {
  const { error, stderr } = await asc.main([...common, ...extra, '--outFile', join(out, `${name}.wasm`)]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${name}: ${error.message}`);
    process.exit(1);
  }
}
console.log('build-wasm: dist/wasm/kernels-simd.wasm, dist/wasm/kernels-relaxed.wasm');
