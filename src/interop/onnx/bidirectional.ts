/**
 * The graph of a bidirectional (infill) model over whole sequences: each token predicted from
 * the forward state before it and the backward state after it (engine/bidirectional.ts):
 *   log_probs[t] = LogSoftmax(W_out [→a⟨t−1⟩; ←a⟨t+1⟩] + b_out)
 *   →a⟨t−1⟩: the forward stack's top output after tokens[0 … t−1] (zeros for t = 0)
 *   ←a⟨t+1⟩: the backward stack's top output after reading, from the right, an <EOS> that follows
 *            the sequence, then tokens[T−1], …, tokens[t+1]
 * Both stacks start from zero states, as `rnn eval perplexity` reads a text (its ids: <EOS> first,
 * then the characters; the <EOS> after them is implied, as rnn implies it).
 *   tokens (T, B) int64   →   log_probs (T, B, V)
 */
import { EOS_ID } from '../../tokenizer/tokens.js';
import type { ModelFile } from '../../model-io/index.js';
import { attr, type GraphBuilder } from './graph.js';
import { addHead, addOneHot } from './head.js';
import { addLayer, layerParams } from './layer.js';
import { DataType } from './messages.js';

const INT64_MAX = 2n ** 63n - 1n;

/** Every layer of the stack `suffix` over x (T, B, V); returns the top layer's outputs (T, B, H). */
function addStack(g: GraphBuilder, file: ModelFile, suffix: string, x: string, direction: 'forward' | 'reverse'): string {
  const tag = suffix === '' ? 'fwd' : 'bwd';
  for (let l = 0; l < file.config.layers; l++) x = addLayer(g, file.config, layerParams(file, l, suffix), `${tag}${l}`, x, {}, direction).y;
  return x;
}

export function bidirectionalGraph(g: GraphBuilder, file: ModelFile): void {
  const V = file.config.vocabSize;
  const tokens = g.input('tokens', DataType.INT64, ['T', 'B'], 'whole sequences of token ids (T steps × B streams): 0 = <EOS>, 1 = <UNK>, then the vocabulary\'s characters; <EOS> first, as rnn reads a text (an <EOS> after the last token is implied)');
  const axis0 = g.int64s('axis0', [0]);
  // forward: →a⟨t−1⟩ = [0; Y_fwd⟨0 … T−2⟩]   (T, B, H)
  const yF = addStack(g, file, '', addOneHot(g, tokens, V, 'x'), 'forward');
  const yFHead = g.op('Slice', [yF, g.int64s('start0', [0]), g.int64s('end_last', [-1]), axis0], 'fwd_y_but_last'); // Y_fwd⟨0 … T−2⟩
  const fPrev = g.op('Pad', [yFHead, g.int64s('pad_first_step', [1, 0, 0, 0, 0, 0])], 'fwd_prev', { mode: attr.string('constant') });
  // backward: reads next⟨t⟩ = tokens[t+1] (next⟨T−1⟩ = <EOS>) from t = T−1 down to t, so Y_bwd⟨t⟩ = ←a⟨t+1⟩
  const tail = g.op('Slice', [tokens, g.int64s('start1', [1]), g.int64s('end_all', [INT64_MAX]), axis0], 'tokens_from_1'); // tokens[1 …]
  const next = g.op('Pad', [tail, g.int64s('pad_last_step', [0, 0, 1, 0]), g.int64s('EOS', [EOS_ID], [])], 'next_tokens', { mode: attr.string('constant') });
  const bNext = addStack(g, file, '_reverse', addOneHot(g, next, V, 'x_next'), 'reverse');
  const logProbs = addHead(g, file, [fPrev, bNext], 'log_probs');
  g.output(logProbs, DataType.FLOAT, ['T', 'B', V], 'log_probs[t, b, v] = ln p(tokens[t, b] = v | every other token of stream b); rnn scores t = 1 … T−1');
}
