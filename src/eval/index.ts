export { evaluate, type EvalOptions, type EvalResult } from './evaluate.js';
export { lineIds, score, type LineScore, type ScoreOptions } from './score.js';
export { rowNll } from './nll.js';
