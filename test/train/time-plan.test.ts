/**
 * Issue 16, item 1: under a time budget the cosine rate reaches its floor as the time runs out,
 * evaluations included. The trainer runs on a clock of the test's own (no wall-clock timing): each
 * reading of it advances 2 ms, and an evaluation costs 3 s of it.
 */
import { describe, expect, it } from 'vitest';
import { createModel } from '../../src/engine/create.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import type { PlanReport } from '../../src/train/events.ts';
import { defaultTrainOptions } from '../../src/train/options.ts';
import { learningRate, MIN_FACTOR } from '../../src/train/schedule.ts';
import { Trainer, type TrainSink } from '../../src/train/trainer.ts';
import { Rng } from '../../src/util/rng.ts';

describe('#16 the time plan counts what evaluating costs', () => {
  it('planned from the steps alone it overshoots; revised at each evaluation, it ends at the step the time ran out', async () => {
    let now = 0;
    const clock = () => (now += 2);
    const opts = { ...defaultTrainOptions({ model: { hidden: 4, layers: 1 }, batchSize: 2, seqLength: 4, maxTime: 60, patience: null }), evalEvery: 100 };
    expect(opts.lrSchedule).toBe('cosine');
    const model = createModel({ ...opts.model, vocabSize: 5 }, referenceKernels('f32'), new Rng(1));
    const sink: TrainSink = {
      saveBest: async () => {}, saveCheckpoint: async () => {}, saveKept: async () => '', removeKept: () => {},
      validate: () => { now += 3000; return 1; },
    };
    const plans: PlanReport[] = [];
    const ids = Int32Array.from({ length: 2000 }, (_, i) => (i * 7) % 5);
    const trainer = new Trainer(model, ids, opts, sink, { planned: (p) => plans.push(p) }, clock);
    const result = await trainer.train();

    expect(result.reason).toBe('max-time');
    const last = result.run.step;
    expect(plans).toHaveLength(1); // announced once, from the steps' speed before any evaluation …
    expect(plans[0]!.steps).toBeGreaterThan(1.5 * last); // … when a third of the time goes to evaluating
    const planned = result.run.plan!.steps!;
    expect(Math.abs(planned - last) / last).toBeLessThan(0.03); // revised: the plan ends where the time did
    const schedule = { kind: 'cosine' as const, lr: opts.lr, decay: 1, every: 1, start: 0, total: planned };
    expect(learningRate(schedule, last - 1) / opts.lr).toBeLessThan(2 * MIN_FACTOR); // at its floor by then
  });
});
