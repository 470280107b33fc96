import { builtFile } from '../util/built-file.js';
import type { SamplerPayload } from './payload.js';

/** The id of the <script type="application/json"> element that holds the payload. */
export const PAYLOAD_ID = 'rnn-sampler-payload';

/**
 * The two <script> elements that give a self-contained page its sampler: the payload as JSON, then
 * the bundle, which sets the global SAMPLER_GLOBAL (page-sampler.ts). Every non-ASCII or "<" character of the JSON is
 * escaped, so that no text in it can end the element and the page's charset does not matter; the
 * bundle is ASCII already (esbuild's default).
 */
export function samplerScripts(payload: SamplerPayload): string {
  const json = JSON.stringify(payload).replace(/[<\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const bundle = builtFile('browser/sampler.js', 'browser sampler').toString('utf8');
  return `<script type="application/json" id="${PAYLOAD_ID}">${json}</script>\n<script>${bundle}</script>`;
}
