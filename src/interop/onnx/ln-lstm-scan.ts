/**
 * A layer-normalised LSTM layer (engine/cells/ln-lstm.ts), which no ONNX operator computes, written
 * out of standard ones (opset 17):
 *   outside the loop, every step at once:  xa = LayerNormalization(x·W_ihᵀ; γ_ih) + b_ih + b_hh   (T, B, 4H)
 *   Scan over t (from the last step back for 'reverse'), carrying h, c (B, H):
 *     a = xa⟨t⟩ + LayerNormalization(h·W_hhᵀ; γ_hh);  i, f, g, o = Split(a);  σ σ tanh σ
 *     c = f⊙c + i⊙g;  h = o⊙tanh(LayerNormalization(c; γ_c, β_c))
 * LayerNormalization's ε is 1e-5, as the engine's.
 */
import { LN_EPS } from '../../engine/kernels/js/ln-lstm.js';
import { attr, GraphBuilder } from './graph.js';
import type { LayerOutputs } from './layer.js';
import { DataType } from './messages.js';
import { transposed, type LayerParams } from './recurrent-op.js';

/** The layer's normalisation gains, which a layer-normalised layer has besides the LSTM's tensors. */
function norms(p: LayerParams): Required<Pick<LayerParams, 'lnIh' | 'lnHh' | 'lnCWeight' | 'lnCBias'>> {
  if (!p.lnIh || !p.lnHh || !p.lnCWeight || !p.lnCBias) throw new RangeError('a layer-normalised layer without its gains');
  return { lnIh: p.lnIh, lnHh: p.lnHh, lnCWeight: p.lnCWeight, lnCBias: p.lnCBias };
}

/** The state (1, B, H) squeezed to (B, H), or zeros (B, H) with x's B when absent. */
function initialState(g: GraphBuilder, state: string | undefined, x: string, H: number, name: string): string {
  if (state) return g.op('Squeeze', [state, g.int64s(`${name}.axis`, [0])], name);
  const B = g.op('Slice', [g.op('Shape', [x], `${name}.x_shape`), g.int64s(`${name}.from`, [1]), g.int64s(`${name}.to`, [2])], `${name}.B`);
  const shape = g.op('Concat', [B, g.int64s(`${name}.H`, [H])], `${name}.shape`, { axis: attr.int(0) });
  return g.op('Expand', [g.floats(`${name}.zero`, [1, H], new Float32Array(H)), shape], name);
}

/** The same arguments and outputs as layer.ts's addLayer, for a layer-normalised LSTM. */
export function addLnLstmLayer(
  g: GraphBuilder, p: LayerParams, label: string, x: string, state: { h?: string; c?: string },
  direction: 'forward' | 'reverse', names?: { h: string; c: string },
): LayerOutputs {
  const { H, I } = p, GH = 4 * H;
  const n = norms(p);
  const eps = { epsilon: attr.float(LN_EPS), axis: attr.int(-1) };
  // xa = LN(x·W_ihᵀ; γ_ih) + b_ih + b_hh   (T, B, 4H)
  const xw = g.op('MatMul', [x, g.floats(`${label}.W_ih_T`, [I, GH], transposed(p.weightIh, GH, I))], `${label}.xw`);
  const bias = p.biasIh.map((b, j) => b + p.biasHh[j]!);
  const xa = g.op('LayerNormalization', [xw, g.floats(`${label}.ln_ih`, [GH], n.lnIh), g.floats(`${label}.b`, [GH], bias)], `${label}.xa`, eps);

  // the step, a graph of its own: (h, c, xa⟨t⟩) → (h, c, y⟨t⟩)
  const s = new GraphBuilder(`${label}.step.`);
  const hPrev = s.input(`${label}.h_prev`, DataType.FLOAT, ['B', H], 'h⟨t−1⟩');
  const cPrev = s.input(`${label}.c_prev`, DataType.FLOAT, ['B', H], 'c⟨t−1⟩');
  const xt = s.input(`${label}.xa_t`, DataType.FLOAT, ['B', GH], 'the normalised input projection of step t');
  const hw = s.op('MatMul', [hPrev, s.floats(`${label}.W_hh_T`, [H, GH], transposed(p.weightHh, GH, H))], `${label}.hw`);
  const zero = s.floats(`${label}.zero`, [GH], new Float32Array(GH));
  const a = s.op('Add', [xt, s.op('LayerNormalization', [hw, s.floats(`${label}.ln_hh`, [GH], n.lnHh), zero], `${label}.hn`, eps)], `${label}.a`);
  const [ai, af, ag, ao] = s.node('Split', [a], ['i', 'f', 'g', 'o'].map((k) => `${label}.a_${k}`), { axis: attr.int(1) });
  const i = s.op('Sigmoid', [ai!], `${label}.i`), f = s.op('Sigmoid', [af!], `${label}.f`);
  const gg = s.op('Tanh', [ag!], `${label}.g`), o = s.op('Sigmoid', [ao!], `${label}.o`);
  const c = s.op('Add', [s.op('Mul', [f, cPrev], `${label}.fc`), s.op('Mul', [i, gg], `${label}.ig`)], `${label}.c`); // c = f⊙c⟨t−1⟩ + i⊙g
  const cn = s.op('LayerNormalization', [c, s.floats(`${label}.ln_c_weight`, [H], n.lnCWeight), s.floats(`${label}.ln_c_bias`, [H], n.lnCBias)], `${label}.cn`, eps);
  const h = s.op('Mul', [o, s.op('Tanh', [cn], `${label}.tanh_cn`)], `${label}.h`); // h = o⊙tanh(LN(c))
  const y = s.op('Identity', [h], `${label}.y_t`);
  for (const [v, w, doc] of [[h, H, 'h⟨t⟩'], [c, H, 'c⟨t⟩'], [y, H, 'y⟨t⟩ = h⟨t⟩']] as const) s.output(v, DataType.FLOAT, ['B', w], doc);

  const reverse = direction === 'reverse' ? 1 : 0;
  const h0 = initialState(g, state.h, x, H, `${label}.h0`);
  const c0 = initialState(g, state.c, x, H, `${label}.c0`);
  const [hT, cT, Y] = g.node('Scan', [h0, c0, xa], [`${label}.h_last`, `${label}.c_last`, `${label}.Y`], {
    body: attr.graph(s.graph(`${label}.step`, 'one step of the layer-normalised LSTM')),
    num_scan_inputs: attr.int(1),
    scan_input_directions: attr.ints([reverse]),
    scan_output_directions: attr.ints([reverse]), // y⟨t⟩ at position t either way
  }, `${label}: layer-normalised LSTM, ${direction}`);
  if (!names) return { y: Y! };
  const unsqueeze = (v: string, name: string) => g.op('Unsqueeze', [v, g.int64s(`${label}.state_axis`, [0])], name);
  return { y: Y!, h: unsqueeze(hT!, names.h), c: unsqueeze(cT!, names.c) };
}
