import { PAYLOAD_ID } from '../browser/page-scripts.js';
import { SAMPLER_GLOBAL } from '../browser/page-sampler.js';

/**
 * The report page's own script: the sampler form, on the bundle's `rnnSampler` (browser/). It
 * samples once when the page opens, and after each submit shows the text and the `rnn sample`
 * command that prints the same.
 */
export const PAGE_SCRIPT = `(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('sample-form'), out = $('sample-out'), command = $('sample-command');
  const model = document.getElementById('sampler').dataset.model;
  const payload = JSON.parse($('${PAYLOAD_ID}').textContent);
  const ready = globalThis.${SAMPLER_GLOBAL}.create(payload).then((s) => {
    $('kernels').textContent = 'Running on ' + s.kernels + '.';
    return s;
  });
  const quote = (s) => "'" + s.replace(/'/g, "'\\\\''") + "'";
  async function run() {
    const f = new FormData(form);
    const num = (k) => Number(f.get(k));
    const opts = { temperature: num('temperature'), seed: num('seed'), length: num('length') };
    if (f.get('prime')) opts.prime = String(f.get('prime'));
    if (num('topP') < 1) opts.topP = num('topP');
    out.classList.add('busy');
    try {
      const r = await (await ready).sample(opts);
      out.textContent = r.text;
      command.textContent = 'rnn sample --model ' + model + ' -t ' + opts.temperature + (opts.topP ? ' --top-p ' + opts.topP : '') +
        ' --seed ' + r.seed + ' -n ' + opts.length + (opts.prime ? ' --prime ' + quote(opts.prime) : '');
      document.body.dataset.samples = String(Number(document.body.dataset.samples || 0) + 1);
    } catch (e) {
      out.textContent = 'error: ' + (e && e.message ? e.message : String(e));
    } finally {
      out.classList.remove('busy');
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  run();
})();`;
