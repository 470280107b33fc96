/**
 * The token stream cut into B parallel streams of length L = ⌊(N−1)/B⌋: stream b covers tokens
 * [b·L, b·L + L]. Each step takes the next T tokens of every stream as inputs and the tokens one
 * after as targets, time-major (position t·B + b). When a stream cannot give T more, every stream
 * wraps to its start (the carried state is reset) and an epoch ends.
 */
export class Batches {
  readonly L: number;
  readonly x: Int32Array;
  readonly y: Int32Array;
  /** Offset into every stream of the next block. */
  cursor = 0;
  epoch = 0;

  constructor(private readonly data: ArrayLike<number>, readonly B: number, readonly T: number) {
    this.L = Math.floor((data.length - 1) / B);
    this.x = new Int32Array(T * B);
    this.y = new Int32Array(T * B);
  }

  /** Steps in one pass over the streams. */
  get stepsPerEpoch(): number {
    return Math.max(1, Math.floor(this.L / this.T));
  }

  /** Whether the next block starts a new epoch. */
  wouldWrap(): boolean {
    return this.cursor + this.T > this.L;
  }

  /** Fill x and y with the next block; returns true when the streams wrapped (state must reset). */
  next(): boolean {
    const { B, T, L, data, x, y } = this;
    let wrapped = false;
    if (this.wouldWrap()) {
      this.cursor = 0;
      this.epoch += 1;
      wrapped = true;
    }
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const i = b * L + this.cursor + t;
        x[t * B + b] = data[i];
        y[t * B + b] = data[i + 1];
      }
    }
    this.cursor += T;
    return wrapped;
  }
}
