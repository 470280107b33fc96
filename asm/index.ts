// Entry point of the WebAssembly kernel module (see scripts/build-wasm.mjs).
export { gemm, scratchBytes } from './gemm';
