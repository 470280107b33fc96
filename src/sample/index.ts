export { TokenSampler, argmaxOf, choose, resolvePickOptions, restrict, type PickOptions, type ResolvedPickOptions } from './distribution.js';
export { sample, sampleStream, type SampleOptions, type SampleRun, type SampleStats } from './sample.js';
export { EOS_ID, UNK_ID, type TextVocab } from './text-vocab.js';
