import type { LanguageModel, LayerTrace } from '../engine/language-model.js';
import type { Vec } from '../engine/types.js';
import { RnnError } from '../errors.js';
import { checkIds } from '../eval/common.js';
import { forEachInfillRow, hasInfill } from '../eval/infill.js';
import { logSumExp } from '../util/softmax.js';

/**
 * A text as a model reads it, character by character: the surprisal of each, −log₂ p(c) (bits),
 * p its probability given everything before it (a bidirectional model: given both sides, the
 * infill probability), the most probable characters at that position, and optionally what one
 * hidden unit, or one gate's mean activation, holds after reading it (the forward stack's, for a
 * bidirectional model). One stream from a zero state, as `rnn eval perplexity` reads a text.
 */
export interface TracedChar {
  id: number;
  /** −log₂ p(this token). */
  bits: number;
  /** The most probable tokens at this position, most probable first. */
  top: { id: number; p: number }[];
  /** The unit's value, or the gate's mean over its units; null when nothing is measured. */
  value: number | null;
}

export interface Trace {
  /** The text's tokens after its opening <EOS>. */
  chars: TracedChar[];
  totalBits: number;
  infill: boolean;
}

/** What is measured besides surprisal: a hidden unit, or a gate's mean activation (0-based layer and unit). */
export type Probe = { kind: 'neuron'; layer: number; unit: number } | { kind: 'gate'; layer: number; gate: number; name: string };

/** Steps per block. */
const T = 128;

/** `ids`: <EOS> first, as `Vocab.encode` makes a text; `top`: how many predictions to keep per position. */
export function traceText(model: LanguageModel, ids: ArrayLike<number>, opts: { top?: number; probe?: Probe | null } = {}): Trace {
  const N = ids.length;
  if (N < 2) throw new RnnError('nothing to inspect', { expected: 'at least one character', got: 'an empty text', kind: 'usage' });
  const V = model.config.vocabSize;
  checkIds(ids, V);
  const K = Math.min(opts.top ?? 0, V);
  const probe = opts.probe ?? null;
  const chars: TracedChar[] = [];
  for (let p = 1; p < N; p++) chars.push({ id: ids[p], bits: 0, top: [], value: null });
  let totalBits = 0;
  const predict = (p: number, z: Vec, off: number): void => { // the prediction of ids[p] (p ≥ 1)
    const c = chars[p - 1]!;
    const lse = logSumExp(z, off, V);
    c.bits = (lse - z[off + c.id]) / Math.LN2;
    totalBits += c.bits;
    c.top = topK(z, off, V, K, lse);
  };
  const measure = (p: number, t: number): void => { // after reading ids[p], at step t of the block
    if (probe !== null && p >= 1) chars[p - 1]!.value = read(model.layers[probe.layer]!, probe, t);
  };

  if (hasInfill(model)) {
    forEachInfillRow(model, ids, { seqLength: T }, (p, z, off) => {
      if (p >= 1) predict(p, z, off);
      measure(p, p % T);
    });
  } else {
    const state = model.newState(1);
    const x = new Int32Array(T);
    for (let t0 = 0; t0 < N; t0 += T) {
      const Tb = Math.min(T, N - t0);
      for (let t = 0; t < Tb; t++) x[t] = ids[t0 + t];
      const z = model.logits(x.subarray(0, Tb), Tb, 1, state);
      for (let t = 0; t < Tb; t++) {
        measure(t0 + t, t);
        if (t0 + t + 1 < N) predict(t0 + t + 1, z, t * V); // step t predicts the next token
      }
    }
  }
  return { chars, totalBits, infill: hasInfill(model) };
}

function read(layer: LayerTrace, probe: Probe, t: number): number {
  if (probe.kind === 'neuron') return layer.hidden(t, 0, probe.unit);
  let s = 0;
  for (let j = 0; j < layer.H; j++) s += layer.gate(probe.gate, t, 0, j);
  return s / layer.H;
}

/** The K most probable ids of a row, most probable first (ties: lower id first). */
function topK(z: Vec, off: number, V: number, K: number, lse: number): { id: number; p: number }[] {
  const best: number[] = [];
  if (K === 0) return [];
  for (let v = 0; v < V; v++) {
    if (best.length === K && z[off + v] <= z[off + best[K - 1]!]) continue;
    let i = Math.min(best.length, K - 1);
    if (best.length < K) best.push(v);
    while (i > 0 && z[off + best[i - 1]!] < z[off + v]) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = v;
  }
  return best.map((id) => ({ id, p: Math.exp(z[off + id] - lse) }));
}

/**
 * `--neuron L:N` (layer L, unit N, both counted from 1) or `--gate [L:]g` (the top layer when L is
 * absent) against a model's layers: the probe, or a usage error that says what the model has.
 */
export function parseProbe(kind: 'neuron' | 'gate', spec: string, layers: readonly LayerTrace[], cell: string): Probe {
  const L = layers.length;
  const m = /^\s*(?:(\d+)\s*:\s*)?([^:\s]+)\s*$/.exec(spec);
  const layerOf = (s: string | undefined): number => {
    const l = s === undefined ? L : Number(s);
    if (!(Number.isInteger(l) && l >= 1 && l <= L)) {
      throw new RnnError(`no layer ${s} in this model`, { expected: `a layer from 1 to ${L}`, got: String(s), kind: 'usage' });
    }
    return l - 1;
  };
  if (kind === 'neuron') {
    if (!m || m[1] === undefined || !/^\d+$/.test(m[2]!)) {
      throw new RnnError('invalid value for --neuron', { expected: 'L:N, layer L and unit N counted from 1', got: JSON.stringify(spec), hint: 'e.g. --neuron 2:17', kind: 'usage' });
    }
    const layer = layerOf(m[1]);
    const H = layers[layer]!.H;
    const unit = Number(m[2]);
    if (!(unit >= 1 && unit <= H)) throw new RnnError(`no unit ${unit} in layer ${layer + 1}`, { expected: `a unit from 1 to ${H}`, got: String(unit), kind: 'usage' });
    return { kind: 'neuron', layer, unit: unit - 1 };
  }
  const gates = layers[0]!.gateNames;
  if (gates.length === 0) {
    throw new RnnError(`a plain ${cell} has no gates`, { expected: 'an lstm or gru model', got: cell, hint: 'colour by a hidden unit instead: --neuron L:N', kind: 'usage' });
  }
  const gate = m ? gates.indexOf(m[2]!) : -1;
  if (!m || gate < 0) {
    throw new RnnError(`invalid value for --gate`, { expected: `[L:]g with g one of the gates of this ${cell}: ${gates.join(', ')}`, got: JSON.stringify(spec), hint: `e.g. --gate ${gates[0]}`, kind: 'usage' });
  }
  return { kind: 'gate', layer: layerOf(m[1]), gate, name: gates[gate]! };
}

/** A token as a reader sees it in a table or a tooltip: ␣ for a space, ⇥ for a tab, <EOS>, <UNK>. */
export function visibleToken(vocab: { tokenName(id: number): string }, id: number): string {
  const name = vocab.tokenName(id);
  return name === ' ' ? '␣' : name === '\t' ? '⇥' : name;
}
