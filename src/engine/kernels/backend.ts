/** The kernel backends, fastest first: C++ (native/), WebAssembly SIMD (asm/), the TypeScript reference (js/). */
export const BACKENDS = ['native', 'wasm', 'js'] as const;
export type Backend = (typeof BACKENDS)[number];
