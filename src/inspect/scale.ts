import type { Probe } from './trace.js';

/**
 * The colours of an inspected text, for the terminal (cli/inspect.ts) and the report page alike:
 * a value → a background colour, dark text on it.
 *   surprisal: light yellow (0 bits) → red (SURPRISAL_FULL bits and more)
 *   a hidden unit, or a tanh block (g, n): blue (−bound) → white (0) → red (+bound)
 *   a sigmoid gate's mean (i, f, o, r, z): white (0) → green (1)
 */
export type Rgb = readonly [number, number, number];

export interface ColourScale {
  /** What the colour shows, with its unit. */
  label: string;
  /** Values for a legend, low to high. */
  ticks: number[];
  colour(value: number): Rgb;
}

/** Bits at which surprisal reaches the full colour. */
export const SURPRISAL_FULL = 8;

const PALE: Rgb = [255, 250, 205];
const WHITE: Rgb = [247, 247, 247];
const RED: Rgb = [215, 48, 39];
const BLUE: Rgb = [69, 117, 180];
const GREEN: Rgb = [26, 152, 80];

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const u = Math.min(1, Math.max(0, t));
  const at = (k: 0 | 1 | 2): number => Math.round(a[k] + (b[k] - a[k]) * u);
  return [at(0), at(1), at(2)];
}

export const surprisalScale: ColourScale = {
  label: 'surprisal, bits (−log₂ p)',
  ticks: [0, 2, 4, 6, SURPRISAL_FULL],
  colour: (bits) => mix(PALE, RED, bits / SURPRISAL_FULL),
};

/** The scale of a probe's values over a text (a unit's bound: 1 for tanh, else its largest |value|). */
export function probeScale(probe: Probe, values: readonly number[]): ColourScale {
  const tanhBlock = probe.kind === 'gate' && (probe.name === 'g' || probe.name === 'n');
  if (probe.kind === 'gate' && !tanhBlock) {
    return { label: `gate ${probe.name}, mean activation (layer ${probe.layer + 1})`, ticks: [0, 0.25, 0.5, 0.75, 1], colour: (v) => mix(WHITE, GREEN, v) };
  }
  const bound = Math.max(1, ...values.map(Math.abs));
  const label = probe.kind === 'neuron' ? `unit ${probe.unit + 1} of layer ${probe.layer + 1}` : `${probe.name}, mean (layer ${probe.layer + 1})`;
  return {
    label,
    ticks: [-bound, -bound / 2, 0, bound / 2, bound],
    colour: (v) => (v < 0 ? mix(WHITE, BLUE, -v / bound) : mix(WHITE, RED, v / bound)),
  };
}
