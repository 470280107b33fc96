/**
 * The graph of a left-to-right model: the next-character distribution with every layer's state
 * as an input and an output, so that a caller steps it (T = 1, carrying the states) or scores a
 * whole sequence at once. Symbolic dims T (steps) and B (streams).
 *   tokens (T, B) int64;  h{l}, c{l} (1, B, H)   →   log_probs (T, B, V);  h{l}_out, c{l}_out (1, B, H)
 * log_probs[t, b, v] = ln p(next token = v | tokens[0 … t, b], the states given).
 */
import { DataType } from './messages.js';
import type { ModelFile } from '../../model-io/index.js';
import type { GraphBuilder } from './graph.js';
import { addHead, addOneHot } from './head.js';
import { addLayer, layerParams } from './layer.js';

export function unidirectionalGraph(g: GraphBuilder, file: ModelFile): void {
  const { layers: L, hidden: H, vocabSize: V, cell } = file.config;
  const lstm = cell === 'lstm';
  const tokens = g.input('tokens', DataType.INT64, ['T', 'B'], 'token ids (T steps × B streams): 0 = <EOS>, 1 = <UNK>, then the vocabulary\'s characters; a sequence starts with <EOS>');
  const states = Array.from({ length: L }, (_, l) => ({
    h: g.input(`h${l}`, DataType.FLOAT, [1, 'B', H], `layer ${l}'s hidden state before tokens[0] (zeros at the start of a sequence)`),
    ...(lstm ? { c: g.input(`c${l}`, DataType.FLOAT, [1, 'B', H], `layer ${l}'s LSTM cell state before tokens[0] (zeros at the start of a sequence)`) } : {}),
  }));
  let x = addOneHot(g, tokens, V, 'x'); // (T, B, V)
  for (let l = 0; l < L; l++) {
    const out = addLayer(g, file.config, layerParams(file, l, ''), `l${l}`, x, states[l]!, 'forward', { h: `h${l}_out`, c: `c${l}_out` });
    x = out.y; // (T, B, H)
    g.output(out.h!, DataType.FLOAT, [1, 'B', H], `layer ${l}'s hidden state after the last token: h${l} of the next call`);
    if (out.c) g.output(out.c, DataType.FLOAT, [1, 'B', H], `layer ${l}'s cell state after the last token: c${l} of the next call`);
  }
  const logProbs = addHead(g, file, [x], 'log_probs');
  g.output(logProbs, DataType.FLOAT, ['T', 'B', V], 'log_probs[t, b, v] = ln p(the token after tokens[t, b] is v)');
}
