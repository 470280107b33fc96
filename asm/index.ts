// Entry point of the WebAssembly kernel module (see scripts/build-wasm.mjs).
export { gemm, scratchBytes } from './gemm';
export { lstm_forward, lstm_backward, tanh_forward, tanh_backward, softmax_xent } from './pointwise';
