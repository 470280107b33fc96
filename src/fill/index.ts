export { fillText, type FillOptions, type FillResult, type Filled, type GapFill } from './fill.js';
export { GAP_CHAR, parseGaps, type Gap, type GappedText } from './gaps.js';
