// Entry point of the WebAssembly kernel module (see scripts/build-wasm.mjs).
export { gemm, scratchBytes, pack_b, packedFloats } from './gemm';
export { lstm_forward, lstm_backward, tanh_forward, tanh_backward, softmax_xent, log_probs } from './pointwise';
export { gru_forward_rz, gru_out, gru_out_backward, gru_backward_r } from './gru';
export {
  adam_update, adagrad_update, sum_sq, scale, clip_value, column_sums, transpose, gather_rows, scatter_rows, gather_cols, scatter_cols,
} from './update';
export { layer_norm_forward, layer_norm_backward, column_dots, ln_lstm_forward, ln_lstm_backward } from './ln-lstm';
export {
  rnn_tanh_steps_forward, rnn_tanh_steps_backward, lstm_steps_forward, lstm_steps_backward, ln_lstm_steps_forward, ln_lstm_steps_backward,
  gru_steps_forward, gru_steps_backward,
} from './steps';
