export * from './model-file.js';
export { encodeTensor, encodeTensors, decodeTensor, checkShape, MAX_ELEMENTS, MAX_RANK, type Tensor, type TensorData, type TensorDType, type TensorJSON } from './tensor.js';
export { writeFileAtomic } from './atomic.js';
export { parseJsonSafely, MAX_DEPTH } from './safe-json.js';
export { validateCheckpointState, checkResumeFits } from './checkpoint-state.js';
export { looksLikeModel, modelsIn, isCheckpointName } from './discover.js';
