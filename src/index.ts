/** The library: what the CLI does, as typed functions. */
export { train, type TrainCall, type TrainOutcome } from './api/train.js';
export { loadModel, type LoadedModel } from './api/load.js';
export { evaluateFiles, type FileEvalResult } from './api/evaluate.js';
export { sample, sampleStream, type SampleOptions } from './sample/sample.js';
export { evaluate, type EvalOptions, type EvalResult } from './eval/evaluate.js';
export { score, type LineScore, type ScoreOptions } from './eval/score.js';
export { gradcheck } from './engine/gradcheck.js';
export { createModel } from './engine/create.js';
export type { ModelConfig } from './engine/config.js';
export type { LanguageModel } from './engine/language-model.js';
export { Vocab } from './tokenizer/vocab.js';
export { RnnError } from './errors.js';
export type { TrainOptions, TrainOptionsInput } from './train/options.js';
export type { ProgressReport, TrainEvents } from './train/events.js';
