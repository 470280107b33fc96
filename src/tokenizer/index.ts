export * from './vocab.js';
export * from './corpus.js';
export { oneHot, oneHotRows } from './onehot.js';
export { segment, forEachCodePointOfString } from './segment.js';
export { decodeUtf8, scanUtf8, forEachCodePoint, assertNotBinary, looksBinary, hasUtf8Bom, codePointLength, isControl, type Utf8Stats } from './utf8.js';
