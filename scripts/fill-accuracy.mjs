#!/usr/bin/env node
// Infill accuracy of `rnn fill` (notes/fill.md): blank a fraction of the letters of a corpus's
// validation tail at random (seeded), run `rnn fill --json` with each model, count the letters
// restored exactly.
//
//   node scripts/fill-accuracy.mjs [--rate 0.1] [--seed 1] [--corpus corpora/tinyshakespeare.txt]
//                                  [--val-fraction 0.05] model.json [other.json …]
//
// The validation tail is the last round(chars·f) characters, the split `rnn train` holds out.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const rate = Number(opt('--rate', '0.1'));
const seed = Number(opt('--seed', '1'));
const corpus = opt('--corpus', join(root, 'corpora/tinyshakespeare.txt'));
const valFraction = Number(opt('--val-fraction', '0.05'));
const models = args;
if (models.length === 0) {
  console.error('usage: node scripts/fill-accuracy.mjs [--rate 0.1] [--seed 1] [--corpus file] model.json [more.json …]');
  process.exit(2);
}

// mulberry32: a small seeded generator, so the blanks are the same on every run
function rng(s) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const chars = [...readFileSync(corpus, 'utf8')];
const val = chars.slice(chars.length - Math.round(chars.length * valFraction));
const letters = [];
val.forEach((c, i) => { if (/\p{L}/u.test(c)) letters.push(i); });
const k = Math.round(letters.length * rate);
const u = rng(seed);
for (let i = 0; i < k; i++) { // partial Fisher–Yates: the first k entries are a uniform sample
  const j = i + Math.floor(u() * (letters.length - i));
  [letters[i], letters[j]] = [letters[j], letters[i]];
}
const blanked = new Set(letters.slice(0, k));
const gapped = val.map((c, i) => (blanked.has(i) ? '_' : c)).join('');
const dir = mkdtempSync(join(tmpdir(), 'fill-accuracy-'));
const file = join(dir, 'blanked.txt');
writeFileSync(file, gapped);
// UTF-16 offset of each code point of val, to map the gaps' starts back
const offsets = [];
let off = 0;
for (const c of val) { offsets.push(off); off += c.length; }
const indexOf = new Map(offsets.map((o, i) => [o, i]));

console.log(`${corpus}: validation tail ${val.length} chars, ${letters.length} letters, ${k} blanked (${(rate * 100).toFixed(1)}%, seed ${seed})`);
for (const model of models) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/rnn.js'), 'fill', '--model', model, '--file', file, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  const out = JSON.parse(r.stdout);
  let correct = 0, total = 0;
  for (const g of out.gaps) {
    const at = indexOf.get(g.start);
    const fill = [...g.fill];
    for (let j = 0; j < g.length; j++) {
      total++;
      if (fill[j] === val[at + j]) correct++;
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  console.log(`${model}: ${out.mode}, ${correct}/${total} letters restored = ${(100 * correct / total).toFixed(2)}%` +
    ` (${out.gaps.length} gaps, ${out.sweeps} sweeps${out.mode === 'bidirectional' ? (out.converged ? ', converged' : ', not converged') : ''}, ${seconds.toFixed(1)}s)`);
}
