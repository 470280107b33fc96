/** The bundle's entry (scripts/build-browser.mjs → dist/browser/sampler.js): the sampler on globalThis. */
import { createSampler, SAMPLER_GLOBAL, type SamplerGlobal } from './page-sampler.js';

const api: SamplerGlobal = { create: createSampler };
Object.assign(globalThis, { [SAMPLER_GLOBAL]: api });
