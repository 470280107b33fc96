import type { Command } from 'commander';
import { describeCell, validateVariants } from '../engine/config.js';
import { gradcheck } from '../engine/gradcheck.js';
import { GRADCHECK_OPTIONS } from '../options.js';
import { addModelOptions, modelConfigFrom, type ModelFlags } from './model-options.js';
import { cliOption } from './options.js';
import { info, out, printJson } from './output.js';

type GradcheckFlags = ModelFlags & { batch: number; seqLength: number; vocab: number; seed: number; json: boolean };

const TOLERANCE = 1e-6;

export function gradcheckCommand(program: Command): void {
  const cmd = program
    .command('gradcheck')
    .description('compare analytic BPTT gradients with centred differences in float64');
  addModelOptions(cmd, { hidden: 6 }); // small, so that the check is quick
  for (const spec of Object.values(GRADCHECK_OPTIONS)) cmd.addOption(cliOption(spec));
  cmd
    .option('--json', 'machine-readable result on stdout', false)
    .action((flags: GradcheckFlags) => {
      const config = { ...modelConfigFrom(flags), vocabSize: flags.vocab };
      validateVariants(config);
      const results = gradcheck(config, { batch: flags.batch, seqLength: flags.seqLength, seed: flags.seed });
      const worst = Math.max(...results.map((r) => r.maxRelErr));
      const pass = worst < TOLERANCE;
      if (flags.json) {
        printJson({ config, batch: flags.batch, seqLength: flags.seqLength, seed: flags.seed, tolerance: TOLERANCE, pass, worst, tensors: results });
      } else {
        info(`gradcheck ${describeCell(config)}, ${config.layers} layer(s), H=${config.hidden}, V=${config.vocabSize}, B=${flags.batch}, T=${flags.seqLength}, float64`);
        const width = Math.max(...results.map((r) => r.name.length));
        for (const r of results) {
          out(`${r.name.padEnd(width)}  ${r.maxRelErr.toExponential(2)}  ${r.maxRelErr < TOLERANCE ? 'ok' : 'FAIL'}\n`);
        }
        out(`${pass ? 'PASS' : 'FAIL'}: worst relative error ${worst.toExponential(2)} (tolerance ${TOLERANCE.toExponential(0)})\n`);
      }
      if (!pass) process.exitCode = 1;
    });
}
