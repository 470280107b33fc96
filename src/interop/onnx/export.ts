/**
 * `rnn export --format onnx`: a model file as an ONNX model (opset 17, IR version 8) of its
 * next-character distribution, built from the standard operators OneHot, RNN / LSTM / GRU,
 * MatMul, Add and LogSoftmax (and Slice, Pad, Concat for a bidirectional model; Scan and
 * LayerNormalization for a layer-normalised LSTM):
 *   left to right (unidirectional.ts): tokens (T, B) and the states h{l}, c{l} → log_probs (T, B, V)
 *       and the states after the last step, h{l}_out, c{l}_out;
 *   bidirectional (bidirectional.ts): a whole sequence, tokens (T, B) → log_probs (T, B, V), each
 *       position predicted from both sides.
 * Every cell variant maps exactly onto an operator (rnn-op.ts, lstm-op.ts, gru-op.ts) but the layer-normalised LSTM, a Scan
 * of its step (ln-lstm-scan.ts). The model's
 * metadata holds the configuration and the vocabulary (to encode text into ids).
 */
import { describeCell } from '../../engine/config.js';
import { parameterLayout } from '../../engine/create.js';
import { RnnError } from '../../errors.js';
import { checkParams, FORMAT, summarizeModel, type ModelFile } from '../../model-io/index.js';
import { bidirectionalGraph } from './bidirectional.js';
import { GraphBuilder } from './graph.js';
import { encodeModel, type StringStringEntryProto } from './messages.js';
import { unidirectionalGraph } from './unidirectional.js';

/** The ONNX operator set the graph uses, and the IR version that goes with it. */
export const OPSET = 17;
export const IR_VERSION = 8;

/** Refuses a file the engine could not run (an impossible configuration, or params that do not fit it). */
function checkExportable(file: ModelFile): void {
  try {
    if (file.config.vocabSize !== file.vocab.size) {
      throw new RnnError('the vocabulary does not fit the configuration', { expected: `config.vocabSize = ${file.vocab.size} (the vocabulary's size)`, got: String(file.config.vocabSize) });
    }
    const expected = parameterLayout(file.config);
    checkParams(file.params, expected);
  } catch (e) {
    if (!(e instanceof RnnError)) throw e;
    throw new RnnError(`cannot export this model to ONNX: ${e.message}`, {
      expected: e.expected, got: e.got, hint: e.hint ?? 'check the model with `rnn info`; retrain it if it is damaged', kind: 'user', cause: e,
    });
  }
}

/** What <EOS> stands for in text, by the vocabulary's eos mode. */
const EOS_MEANS: Record<ModelFile['vocab']['eos'], string> = {
  line: 'a line end',
  paragraph: 'a paragraph break (a blank line)',
  none: 'no character (only where sequences start)',
};

/** How to call the graph: its doc string. */
function usage(file: ModelFile): string {
  const { layers: L, cell } = file.config;
  const states = cell === 'lstm' ? `h0…h${L - 1} and c0…c${L - 1}` : `h0…h${L - 1}`;
  const ids = `Token ids: 0 = <EOS> (a sequence starts with it; in text it stands for ${EOS_MEANS[file.vocab.eos]}), 1 = <UNK> (a character the model does not know), then 2 + k for the k-th character of metadata "vocab" .chars.`;
  if (file.config.bidirectional) {
    return `${ids} Input tokens (T, B): whole sequences, <EOS> first, as \`rnn eval perplexity\` reads a text; an <EOS> after the last token is implied. Output log_probs (T, B, V): log_probs[t, b, v] = ln p(tokens[t, b] = v | the other tokens of the sequence), both directions from zero states; rnn's infill perplexity is the mean of −log_probs[t, b, tokens[t, b]] over t = 1 … T−1.`;
  }
  return `${ids} Inputs: tokens (T, B) and the states ${states} (1, B, H), zeros at a sequence's start. Outputs: log_probs (T, B, V), log_probs[t, b, v] = ln p(the token after tokens[t, b] is v), and the states after the last token (h0_out, …) to feed back as the next call's states: step with T = 1, or score a whole sequence at once.`;
}

/** The ONNX model (protobuf bytes) of a model file. */
export function onnxModel(file: ModelFile): Uint8Array {
  checkExportable(file);
  const g = new GraphBuilder();
  if (file.config.bidirectional) bidirectionalGraph(g, file);
  else unidirectionalGraph(g, file);
  const summary = summarizeModel(file);
  const metadataProps: StringStringEntryProto[] = [
    { key: 'format', value: FORMAT },
    { key: 'config', value: JSON.stringify(file.config) },
    { key: 'vocab', value: JSON.stringify(file.vocab.toJSON()) },
    { key: 'graph', value: file.config.bidirectional ? 'infill' : 'next-token' },
    { key: 'summary', value: summary },
  ];
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'rnn-lm',
    docString: `${summary}. ${usage(file)}`,
    graph: g.graph(`rnn ${describeCell(file.config)}`, usage(file)),
    metadataProps,
  });
}
