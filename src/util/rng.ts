/**
 * The project's one source of randomness: sfc32 (Chris Doty-Humphrey's Small Fast Counting PRNG),
 * 128 bits of state that can be saved in a checkpoint and restored exactly.
 */
export type RngState = [number, number, number, number];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 expands the seed into four words; then discard a few outputs to mix.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  getState(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  setState(state: RngState): void {
    [this.a, this.b, this.c, this.d] = state.map((v) => v >>> 0) as RngState;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 53 bits of resolution. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * keep[j] = (uniform() < p ? 0 : scale) for j < n: the same draws and values as that loop, with the
   * generator's state in locals (4× faster: a dropout mask is drawn every training step).
   */
  bernoulliMask(keep: Float32Array | Float64Array, n: number, p: number, scale: number): void {
    let { a, b, c, d } = this;
    const cut = p * 9007199254740992; // uniform() < p ⟺ its 53-bit integer < p·2^53 (both exact)
    for (let j = 0; j < n; j++) {
      let t = (((a + b) >>> 0) + d) >>> 0; // nextU32, twice (uniform's 27 + 26 bits)
      d = (d + 1) >>> 0; a = b ^ (b >>> 9); b = (c + (c << 3)) >>> 0; c = (((c << 21) | (c >>> 11)) + t) >>> 0;
      const hi = t >>> 5;
      t = (((a + b) >>> 0) + d) >>> 0;
      d = (d + 1) >>> 0; a = b ^ (b >>> 9); b = (c + (c << 3)) >>> 0; c = (((c << 21) | (c >>> 11)) + t) >>> 0;
      const lo = t >>> 6;
      keep[j] = hi * 67108864 + lo < cut ? 0 : scale;
    }
    this.a = a; this.b = b; this.c = c; this.d = d;
  }

  /** Standard normal (Box–Muller; no cached spare, so the state alone determines the stream). */
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

/** A fresh random seed for runs without --seed (recorded in the model so the run can be repeated). */
export function randomSeed(): number {
  return (Math.random() * 0x100000000) >>> 0;
}
