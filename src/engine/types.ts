/** Flat buffers: float32 for training and inference, float64 for gradient checks. */
export type Vec = Float32Array | Float64Array;
export type DType = 'f32' | 'f64';

/** A learnable tensor: row-major data and its gradient, PyTorch's name and shape. */
export interface Param {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Vec;
  readonly grad: Vec;
}
