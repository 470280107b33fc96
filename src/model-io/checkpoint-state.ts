/**
 * Validation of a checkpoint's trainer state (the opaque `checkpoint.json` of the model file:
 * { options, run, optimizerT }) before `--resume` trusts it. Without it a damaged checkpoint can
 * hang the trainer (a string step never reaches --steps), crash it (a missing optimiser moment,
 * an rng that is not 4 words) or resume silently from a wrong state (a short moment or carried
 * state is copied in part). Checks every field's type and range, and that the options agree with
 * the file's own configuration, vocabulary and tensors. What needs the built model (the carried
 * state's length, each moment's length, the data cursor against the stream length) is checked by
 * `checkResumeFits` once the model and data exist.
 */
import { RnnError } from '../errors.js';
import { MODEL_OPTIONS, TRAIN_OPTIONS, type OptionSpec } from '../options.js';
import { validateHistoryEntry, type ModelFile } from './model-file.js';
import { integer, number, object, optionField, problem, string } from './problem.js';

/** Far beyond any real run, small enough that step + 1 stays exact. */
const MAX_STEPS = 2 ** 48;

const nullable = <T>(v: unknown, check: (v: unknown) => T): T | null => (v === null ? null : check(v));

/** Validates `checkpoint.json` of `file` (a file with a checkpoint section); returns it, typed loosely. */
export function validateCheckpointState(file: ModelFile, source = 'checkpoint'): { options: Record<string, unknown>; run: Record<string, unknown>; optimizerT: number } {
  try {
    return check(file);
  } catch (e) {
    if (e instanceof RnnError) throw new RnnError(`invalid checkpoint ${source}: ${e.message}`, { expected: e.expected, got: e.got, hint: e.hint, cause: e });
    throw e;
  }
}

function check(file: ModelFile): { options: Record<string, unknown>; run: Record<string, unknown>; optimizerT: number } {
  if (!file.checkpoint) throw problem('checkpoint', 'a checkpoint section (a .ckpt.json file)', undefined, 'pass the .ckpt.json file that training wrote next to the model');
  const j = object(file.checkpoint.json, 'checkpoint.json');
  const o = object(j.options, 'checkpoint.json.options');
  const r = object(j.run, 'checkpoint.json.run');
  const f = 'checkpoint.json.options';

  // Options: the shape of the model must be the file's own.
  const m = object(o.model, `${f}.model`);
  const config = file.config;
  for (const k of Object.keys(MODEL_OPTIONS) as (keyof typeof MODEL_OPTIONS)[]) {
    if (m[k] !== config[k]) throw problem(`${f}.model.${k}`, `${JSON.stringify(config[k])} (the file's config.${k})`, m[k]);
  }
  if (!Array.isArray(o.corpus) || o.corpus.some((p) => typeof p !== 'string')) throw problem(`${f}.corpus`, 'an array of paths', o.corpus);
  if (o.eos !== file.vocab.eos) throw problem(`${f}.eos`, `"${file.vocab.eos}" (the vocabulary's)`, o.eos);
  // every option the table knows, as the table checks it (options newer than the checkpoint are
  // left out there, and take their defaults on resume)
  for (const [k, spec] of Object.entries(TRAIN_OPTIONS)) if (o[k] !== undefined || k === 'output' || k === 'checkpoint') optionField(o[k], `${f}.${k}`, spec as OptionSpec);

  // Run state.
  const g = 'checkpoint.json.run';
  integer(r.step, `${g}.step`, 0, MAX_STEPS);
  integer(r.epoch, `${g}.epoch`, 0, MAX_STEPS);
  integer(r.cursor, `${g}.cursor`, 0, MAX_STEPS);
  if (r.step !== file.training.steps) throw problem(`${g}.step`, `${file.training.steps} (training.steps)`, r.step);
  // The generator's words are stored as they are kept, signed or unsigned 32-bit.
  if (!Array.isArray(r.rng) || r.rng.length !== 4) throw problem(`${g}.rng`, 'an array of 4 32-bit integers', r.rng);
  r.rng.forEach((w, k) => {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < -(2 ** 31) || w > 0xffffffff) throw problem(`${g}.rng[${k}]`, 'a 32-bit integer', w);
  });
  if (r.rng.every((w) => w === 0)) throw problem(`${g}.rng`, 'a generator state that is not all zeros', '[0, 0, 0, 0]');
  if (!Array.isArray(r.history)) throw problem(`${g}.history`, 'an array', r.history);
  r.history = r.history.map((h, k) => validateHistoryEntry(h, `${g}.history[${k}]`));
  nullable(r.bestValLoss, (v) => number(v, `${g}.bestValLoss`, 0));
  nullable(r.bestStep, (v) => integer(v, `${g}.bestStep`, 0, MAX_STEPS));
  integer(r.evalsSinceBest, `${g}.evalsSinceBest`, 0, MAX_STEPS);
  number(r.lossSum, `${g}.lossSum`);
  integer(r.lossCount, `${g}.lossCount`, 0, MAX_STEPS);
  // since the previous history entry (checkpoints written before these existed: 0)
  for (const k of ['gradNormSum', 'clips', 'stepSeconds']) r[k] = r[k] === undefined ? 0 : number(r[k], `${g}.${k}`, 0);
  r.closedAt = r.closedAt === undefined ? null : nullable(r.closedAt, (v) => integer(v, `${g}.closedAt`, 0, MAX_STEPS));
  if (r.kept === undefined) r.kept = [];
  if (!Array.isArray(r.kept)) throw problem(`${g}.kept`, 'an array', r.kept);
  r.kept.forEach((x, k) => {
    const e = object(x, `${g}.kept[${k}]`);
    integer(e.step, `${g}.kept[${k}].step`, 0, MAX_STEPS);
    number(e.valLoss, `${g}.kept[${k}].valLoss`, 0);
    const file = string(e.file, `${g}.kept[${k}].file`);
    if (file.includes('/') || file.includes('\\') || !file.endsWith('.json')) throw problem(`${g}.kept[${k}].file`, 'a file name (*.json) next to the model', file);
  });
  number(r.elapsedSeconds, `${g}.elapsedSeconds`, 0);
  // the cosine schedule's plan (checkpoints written before it existed: none, planned again on resume)
  r.plan = r.plan === undefined ? null : nullable(r.plan, (v) => {
    const p = object(v, `${g}.plan`);
    nullable(p.steps, (x) => integer(x, `${g}.plan.steps`, 0, MAX_STEPS));
    string(p.budget, `${g}.plan.budget`);
    if (typeof p.timed !== 'boolean') throw problem(`${g}.plan.timed`, 'true or false', p.timed);
    return p;
  });
  const optimizerT = integer(j.optimizerT, 'checkpoint.json.optimizerT', 0, MAX_STEPS);

  // Tensors: the carried state and one moment set per parameter, finite (decodeTensor saw to that).
  const t = file.checkpoint.tensors;
  if (!Object.hasOwn(t, 'state.carried')) throw problem('checkpoint.tensors["state.carried"]', 'the carried hidden state', undefined);
  // optimizer.<param>.<moment>: every param has the same moments, each as long as the param.
  const suffixes = new Map<string, Set<string>>(Object.keys(file.params).map((n) => [n, new Set<string>()]));
  for (const name of Object.keys(t)) {
    if (name === 'state.carried') continue;
    const field = `checkpoint.tensors[${JSON.stringify(name)}]`;
    if (!name.startsWith('optimizer.')) throw problem(field, 'only state.carried and optimizer.* tensors', 'an unknown tensor');
    const rest = name.slice('optimizer.'.length);
    const param = Object.keys(file.params).find((p) => rest.startsWith(`${p}.`) && !rest.slice(p.length + 1).includes('.'));
    if (param === undefined) throw problem(field, 'a moment of one of the params', 'no such param');
    if (t[name].data.length !== file.params[param].data.length) throw problem(field, `${file.params[param].data.length} values (as ${param})`, `${t[name].data.length}`);
    suffixes.get(param)!.add(rest.slice(param.length + 1));
  }
  // The fullest set is the reference: a param with fewer (or other) moments is the damaged one.
  const key = (x: Set<string>) => [...x].sort().join(', ');
  const full = [...suffixes.values()].reduce((a, b) => (b.size > a.size ? b : a), new Set<string>());
  const odd = [...suffixes].find(([, x]) => key(x) !== key(full));
  if (odd) throw problem(`checkpoint.tensors (the optimiser moments of ${odd[0]})`, `[${key(full)}] as the other params have`, `[${key(odd[1])}]`);
  return { options: o, run: r, optimizerT };
}

/**
 * The checks that need the built model and data: the carried state is `stateSize` long, the
 * optimiser's moments are exactly the ones it keeps, with the same lengths, and the cursor is
 * inside the streams (L tokens each).
 */
export function checkResumeFits(
  file: ModelFile,
  want: { stateSize: number; moments: ReadonlyMap<string, { length: number }>; streamLength: number; cursor: number },
  source = 'checkpoint',
): void {
  const t = file.checkpoint?.tensors ?? {};
  const bad = (field: string, expected: string, got: string) =>
    new RnnError(`invalid checkpoint ${source}: bad ${field}`, { expected, got, hint: 'the checkpoint is damaged; resume from an intact copy, or start a new run' });
  const carried = t['state.carried'];
  if (!carried || carried.data.length !== want.stateSize) throw bad('checkpoint.tensors["state.carried"]', `${want.stateSize} values`, `${carried?.data.length ?? 'none'}`);
  for (const [name, m] of want.moments) {
    const got = t[`optimizer.${name}`];
    if (!got || got.data.length !== m.length) throw bad(`checkpoint.tensors["optimizer.${name}"]`, `${m.length} values`, `${got?.data.length ?? 'none'}`);
  }
  const extra = Object.keys(t).filter((n) => n.startsWith('optimizer.') && !want.moments.has(n.slice('optimizer.'.length)));
  if (extra.length > 0) throw bad('checkpoint.tensors', `the optimiser's moments only`, `also ${extra.slice(0, 3).join(', ')}`);
  if (want.cursor > want.streamLength) throw bad('checkpoint.json.run.cursor', `at most ${want.streamLength} (the stream length)`, `${want.cursor}`);
}
