/** σ(x) = 1 / (1 + e^−x) */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
