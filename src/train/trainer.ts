import type { LanguageModel } from '../engine/language-model.js';
import type { HistoryEntry } from '../model-io/model-file.js';
import type { Param, Vec } from '../engine/types.js';
import { Rng, type RngState } from '../util/rng.js';
import { Batches } from './batches.js';
import { clipGradients } from './clip.js';
import type { EvalReport, StopReason, TrainEvents } from './events.js';
import { createOptimizer, type Optimizer } from './optimizers.js';
import type { TrainOptions } from './options.js';
import { CHECKPOINT_SECONDS, PATIENCE_MARGIN } from '../options.js';
import { learningRate, PLAN_AFTER_SECONDS, PLAN_AFTER_SHARE, PLAN_AFTER_STEPS, stepsInTime, type LrSchedule } from './schedule.js';

/** Everything that changes while training; with the weights, a checkpoint holds exactly this. */
export interface RunState {
  step: number;
  epoch: number;
  cursor: number;
  rng: RngState;
  history: HistoryEntry[];
  bestValLoss: number | null;
  bestStep: number | null;
  /** Evaluations in a row more than PATIENCE_MARGIN above the best (what --patience counts). */
  evalsSinceBest: number;
  /** Since the last history entry: the sum and count of training losses (= steps), the sum of */
  lossSum: number;
  lossCount: number;
  /** gradient norms, the steps clipping fired on, and the seconds spent in training steps. */
  gradNormSum: number;
  clips: number;
  stepSeconds: number;
  /** --keep: the models kept as files of their own, the best first. */
  kept: { step: number; valLoss: number; file: string }[];
  /** The step at which the run last closed (its closing evaluation written to the model), or null. */
  closedAt: number | null;
  elapsedSeconds: number;
  /** The cosine schedule's plan: the steps the budget allows, for which budget, measured from the speed (a time budget) or not. */
  plan: LrPlan | null;
}

export interface LrPlan {
  steps: number | null;
  /** The budget it was made for ("steps epochs maxTime"): a resume with another budget plans again. */
  budget: string;
  /** Whether a time budget's speed has been measured (a plan made from it; evaluations revise it). */
  timed: boolean;
}

/** Where the trainer saves things; the API layer binds these to the model file format. */
export interface TrainSink {
  /** Write the current weights as the best model so far. */
  saveBest(run: RunState): Promise<void>;
  /** Write the latest checkpoint: weights, optimiser moments, carried state, run state. */
  saveCheckpoint(run: RunState, optimizer: Optimizer, carried: Vec): Promise<void>;
  /** Validation loss (nats/char) of the current weights, or null when there is no validation split. */
  validate(): number | null;
  /** Write the current weights as a kept model (--keep); returns its file name. */
  saveKept(run: RunState, valLoss: number): Promise<string>;
  /** Delete a kept model that is no longer among the best. */
  removeKept(file: string): void;
  /** Short samples at the given temperatures, for --sample-every. */
  sample?(temperatures: number[], step: number): { temperature: number; text: string }[];
}

export interface TrainResult {
  reason: StopReason;
  /** The state a resume continues from (before the closing evaluation). */
  run: RunState;
  /** The best validation loss and its step as the model file holds them, the closing evaluation included. */
  best: { valLoss: number | null; step: number | null };
  finalTrainLoss: number;
  /** What is on disk for this run when it returns. */
  saved: { model: boolean; checkpoint: boolean };
}

export interface Resume {
  run: RunState;
  moments: Map<string, Float32Array>;
  optimizerT: number;
  carried: Float32Array;
}

/** Milliseconds between yields to the event loop (signals, the spinner): not every step, which costs a small model ~5% of its time. */
const YIELD_MS = 20;

/** The most of a run's time default checkpoints take: 2%. */
const CHECKPOINT_SHARE = 0.02;

/** The BPTT loop: batches → forward/backward → clip → optimiser step, with evaluation and saving. */
export class Trainer {
  readonly batches: Batches;
  readonly optimizer: Optimizer;
  readonly carried: Vec;
  readonly run: RunState;
  private readonly rng: Rng;
  private stopRequested: StopReason | null = null;
  /** A checkpoint of this run is on disk (written here, or the one it resumed from). */
  private hasCheckpoint = false;
  /** The best as the closing evaluation left it in the model file (see close and closingModel). */
  private closedBest: TrainResult['best'] | null = null;
  /** When the next default checkpoint is due (see checkpoint). */
  private nextCheckpoint: number;
  /** This session's seconds spent beside the training steps: evaluating, saving, sampling. */
  private asideSeconds = 0;
  /** Where this session's speed is measured from (past start-up and JIT warm-up), once it is. */
  private speedFrom: { step: number; time: number; asideSeconds: number } | null = null;

  constructor(
    readonly model: LanguageModel,
    readonly trainIds: ArrayLike<number>,
    readonly opts: TrainOptions & { evalEvery: number },
    readonly sink: TrainSink,
    readonly events: TrainEvents = {},
    /** Milliseconds, for every time the trainer measures (a test gives it a clock of its own). */
    readonly clock: () => number = () => performance.now(),
  ) {
    this.nextCheckpoint = clock() + CHECKPOINT_SECONDS * 1000;
    this.batches = new Batches(trainIds, opts.batchSize, opts.seqLength);
    this.optimizer = createOptimizer(opts.optimizer, model.params, model.kernels, { weightDecay: opts.weightDecay });
    this.carried = model.newState(opts.batchSize);
    this.rng = new Rng(opts.seed ^ 0x5bd1e995);
    this.run = {
      step: 0, epoch: 0, cursor: 0, rng: this.rng.getState(), history: [], bestValLoss: null, bestStep: null,
      evalsSinceBest: 0, lossSum: 0, lossCount: 0, gradNormSum: 0, clips: 0, stepSeconds: 0, kept: [], closedAt: null, elapsedSeconds: 0,
      plan: null,
    };
  }

  /** Continue from a checkpoint's state (its sizes checked against this run by the caller). */
  restore(r: Resume): void {
    Object.assign(this.run, r.run, { history: [...r.run.history], kept: [...(r.run.kept ?? [])], closedAt: r.run.closedAt ?? null, plan: r.run.plan ?? null });
    this.rng.setState(r.run.rng);
    this.batches.cursor = r.run.cursor;
    this.batches.epoch = r.run.epoch;
    this.optimizer.t = r.optimizerT;
    for (const [name, buf] of this.optimizer.moments()) buf.set(r.moments.get(name)!);
    this.carried.set(r.carried);
    this.hasCheckpoint = true;
  }

  /** Ask the loop to stop after the current step (Ctrl-C); it saves a checkpoint first. */
  requestStop(reason: StopReason = 'interrupted'): void {
    this.stopRequested ??= reason;
  }

  /** The limit the run has already reached, its closing evaluation done (a resume with nothing left to do), or null. */
  reachedLimit(): StopReason | null {
    return this.closed() ? this.limitReached(this.run.elapsedSeconds) : null;
  }

  /** Whether the model file holds the run's final word at its current step (see close). */
  private closed(): boolean {
    return this.run.closedAt === this.run.step;
  }

  async train(): Promise<TrainResult> {
    const { opts, model, batches, run, events } = this;
    const B = opts.batchSize, T = opts.seqLength;
    // Limits are totals of the run: --max-time counts the time of every session, resumes included
    const sessionStart = this.clock(), before = run.elapsedSeconds, stepsBefore = run.step;
    const elapsed = () => before + (this.clock() - sessionStart) / 1000;
    const maxSteps = this.stepLimit();
    // chars/s counts time in training steps only (not evaluation, saving or sampling)
    let lastReport = this.clock(), stepSeconds = 0, stepsSinceReport = 0, clipsSinceReport = 0, lossSinceReport = 0;
    let lastLoss = NaN, gradNorm = 0, reason: StopReason | null = null, lastYield = this.clock();
    this.planFromSteps();
    // A fresh model's loss is ≈ ln V; ten times that (p(target) ≈ V^−10) means the run has blown up.
    const divergedLoss = 10 * Math.log(model.config.vocabSize) + 10;

    for (;;) {
      reason = this.stopRequested ?? this.limitReached(elapsed());
      if (reason) break;
      if (batches.next()) this.carried.fill(0); // a wrapped stream starts afresh

      const stepStart = this.clock();
      model.zeroGrad();
      const loss = model.lossAndGrad(batches.x, batches.y, T, B, this.carried, this.rng); // the rng drives dropout (if any)
      const clip = clipGradients(model.params, opts.clipMode, opts.clip, model.kernels);
      if (!(loss < divergedLoss) || !Number.isFinite(clip.norm)) { reason = 'diverged'; break; }
      this.optimizer.step(learningRate(this.schedule(), run.step));
      const seconds = (this.clock() - stepStart) / 1000;
      stepSeconds += seconds;
      run.step += 1;
      lastLoss = loss; gradNorm = clip.norm;
      run.lossSum += loss; run.lossCount += 1; run.gradNormSum += clip.norm; run.stepSeconds += seconds;
      if (clip.clipped) run.clips += 1;
      stepsSinceReport += 1; lossSinceReport += loss; if (clip.clipped) clipsSinceReport += 1;
      this.syncRun(elapsed());
      this.planFromTime(run.step - stepsBefore, (this.clock() - sessionStart) / 1000, elapsed());

      let aside = this.clock(); // evaluating, saving and sampling: the time beside the steps
      if (run.step % opts.evalEvery === 0) {
        await this.evaluate(events.evaluated);
        this.asideSeconds += (this.clock() - aside) / 1000;
        aside = this.clock();
        this.replan(run.step - stepsBefore, elapsed()); // before the checkpoint, which records it
      }
      if (opts.checkpointEvery === null ? this.clock() >= this.nextCheckpoint : run.step % opts.checkpointEvery === 0) await this.checkpoint();
      if (opts.sampleEvery > 0 && run.step % opts.sampleEvery === 0 && this.sink.sample) {
        events.samples?.(run.step, this.sink.sample([0.5, 1.0], run.step));
      }
      this.asideSeconds += (this.clock() - aside) / 1000;
      const now = this.clock();
      if (now - lastReport > 500 || run.step === maxSteps) {
        const rate = stepsSinceReport / stepSeconds; // steps per second
        events.progress?.({
          step: run.step, epoch: batches.epoch, epochProgress: batches.cursor / batches.L,
          trainLoss: lossSinceReport / stepsSinceReport, valLoss: this.lastValLoss(), bestValLoss: run.bestValLoss,
          charsPerSecond: rate * B * T, etaSeconds: this.eta(maxSteps, rate, elapsed()),
          gradNorm, clipRate: clipsSinceReport / stepsSinceReport,
          lr: learningRate(this.schedule(), run.step), elapsedSeconds: elapsed(),
        });
        lastReport = now; stepSeconds = 0; stepsSinceReport = 0; clipsSinceReport = 0; lossSinceReport = 0;
      }
      if (now - lastYield >= YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve)); // let the spinner turn and signals land
        lastYield = this.clock();
      }
    }

    if (reason === 'diverged') {
      // The block's data and carried state are spent on a non-finite loss: keep the last checkpoint
      // and the best model as they are; write the weights only if nothing was saved yet and they are finite.
      events.warning?.(`training stopped at step ${run.step + 1}: the loss diverged (it is not finite, or above 10·ln V)`);
      const wrote = run.bestStep === null && allFinite(model.params);
      if (wrote) await this.sink.saveBest(run);
      return { reason, run, best: this.best(), finalTrainLoss: lastLoss, saved: { model: wrote || run.bestStep !== null, checkpoint: this.hasCheckpoint } };
    }
    if (run.step === stepsBefore) {
      // Stopped before this session's first step: the files keep what they held (a resume that
      // trains nothing leaves the checkpoint's limits as they were) — but a run whose last session
      // was killed between its final checkpoint and its closing evaluation still owes that evaluation.
      if (reason !== 'interrupted' && run.step > 0 && !this.closed()) await this.close();
      return { reason, run, best: this.best(), finalTrainLoss: lastLoss, saved: { model: run.bestStep !== null, checkpoint: this.hasCheckpoint } };
    }
    this.syncRun(elapsed());
    // The checkpoint first: a closing evaluation off the --eval-every schedule must not change
    // what a resumed run continues from.
    await this.checkpoint();
    if (reason !== 'interrupted') await this.close();
    else if (run.bestStep === null) await this.closingModel();
    return { reason, run, best: this.best(), finalTrainLoss: lastLoss, saved: { model: true, checkpoint: true } };
  }

  /**
   * The closing evaluation of a run that reached its limit (unless its last step was evaluated on
   * schedule), then the checkpoint marked closed: the model file holds this run's final word, and
   * a resume with nothing left to train is refused. Only `closedAt` changes in the checkpoint, so a
   * resume with a larger limit still continues from the state before the closing evaluation (and
   * the list of --keep files as they are).
   */
  private async close(): Promise<void> {
    const run = this.run;
    const before = { ...run, history: [...run.history] };
    if (run.history.at(-1)?.step !== run.step) await this.evaluate(this.events.evaluated);
    this.closedBest = { valLoss: run.bestValLoss, step: run.bestStep };
    Object.assign(run, before, { closedAt: run.step, kept: run.kept }); // the kept files are what is on disk now
    await this.checkpoint();
  }

  /**
   * An interrupted run that has no model yet gets one: the current weights, evaluated, written to
   * --output. The run state is left as it is, so resuming from the checkpoint (written before)
   * still ends in the uninterrupted run's model; its first evaluation replaces this file.
   */
  private async closingModel(): Promise<void> {
    const run = this.run;
    const valLoss = this.sink.validate();
    const entry = this.entry(valLoss);
    await this.sink.saveBest({ ...run, history: [...run.history, entry], bestValLoss: valLoss, bestStep: run.step });
    this.closedBest = { valLoss, step: run.step };
    this.events.saved?.('model', this.opts.output);
    if (valLoss !== null) this.events.evaluated?.({ step: run.step, valLoss, improved: true, entry });
  }

  private best(): TrainResult['best'] {
    return this.closedBest ?? { valLoss: this.run.bestValLoss, step: this.run.bestStep };
  }

  private schedule(): LrSchedule {
    const o = this.opts;
    return { kind: o.lrSchedule, lr: o.lr, decay: o.lrDecay, every: o.lrDecayEvery, start: o.lrDecayStart, total: this.run.plan?.steps ?? null };
  }

  /** The cosine schedule's plan as a run (or a resume with another budget) starts: its step limit, if any. */
  private planFromSteps(): void {
    const o = this.opts, run = this.run;
    if (o.lrSchedule !== 'cosine') return;
    const budget = `${o.steps} ${o.epochs} ${o.maxTime}`;
    if (run.plan?.budget === budget) return;
    run.plan = { steps: this.stepLimit(), budget, timed: o.maxTime === null };
    if (run.plan.timed && run.plan.steps !== null) this.announcePlan('steps');
  }

  /**
   * A time budget's plan, once its speed is known: the steps that fit in the time left at the
   * speed of this session so far (or the step limit, if that comes first). Recorded, so that a
   * resumed run follows the same rates; revised at each evaluation (see replan).
   */
  private planFromTime(sessionSteps: number, sessionSeconds: number, elapsedSeconds: number): void {
    const o = this.opts, plan = this.run.plan;
    if (plan === null || o.maxTime === null || this.speedFrom !== null) return;
    if (sessionSteps < PLAN_AFTER_STEPS || sessionSeconds < Math.min(PLAN_AFTER_SECONDS, PLAN_AFTER_SHARE * o.maxTime)) return;
    this.speedFrom = { step: this.run.step, time: this.clock(), asideSeconds: this.asideSeconds };
    if (plan.timed) return;
    const inTime = stepsInTime(this.run.step, elapsedSeconds, o.maxTime, sessionSteps / sessionSeconds);
    const limit = this.stepLimit();
    plan.steps = limit !== null && limit <= inTime ? limit : inTime;
    plan.timed = true;
    this.announcePlan(limit !== null && limit <= inTime ? 'steps' : 'time');
  }

  /**
   * After an evaluation, a time budget's plan again, now that what evaluating and saving cost is
   * known (the first plan, made before any, overshoots): seconds per step = the steps' own time
   * since speedFrom + this session's time beside them, per step.
   */
  private replan(sessionSteps: number, elapsedSeconds: number): void {
    const o = this.opts, plan = this.run.plan, from = this.speedFrom, limit = this.stepLimit();
    if (plan === null || !plan.timed || o.maxTime === null || from === null) return;
    const steps = this.run.step - from.step;
    if (steps < PLAN_AFTER_STEPS) return; // too few to time
    const stepSeconds = ((this.clock() - from.time) / 1000 - (this.asideSeconds - from.asideSeconds)) / steps;
    const inTime = stepsInTime(this.run.step, elapsedSeconds, o.maxTime, 1 / (stepSeconds + this.asideSeconds / sessionSteps));
    plan.steps = limit !== null ? Math.min(limit, inTime) : inTime;
  }

  private announcePlan(basis: 'steps' | 'time'): void {
    const steps = this.run.plan!.steps!;
    this.events.planned?.({ steps, finalLr: learningRate(this.schedule(), steps), basis });
  }

  private syncRun(elapsedSeconds: number): void {
    const run = this.run;
    run.epoch = this.batches.epoch;
    run.cursor = this.batches.cursor;
    run.rng = this.rng.getState();
    run.elapsedSeconds = elapsedSeconds;
  }

  private stepLimit(): number | null {
    const o = this.opts;
    if (o.steps !== null) return o.steps;
    if (o.epochs !== null) return o.epochs * this.batches.stepsPerEpoch;
    return null;
  }

  private limitReached(elapsedSeconds: number): StopReason | null {
    const o = this.opts, run = this.run;
    if (o.steps !== null && run.step >= o.steps) return 'steps';
    // checked before the block is taken, so the data cursor a checkpoint holds stays exact
    if (o.epochs !== null && this.batches.epoch + (this.batches.wouldWrap() ? 1 : 0) >= o.epochs) return 'epochs';
    if (o.maxTime !== null && elapsedSeconds >= o.maxTime) return 'max-time';
    if (o.patience !== null && run.evalsSinceBest >= o.patience) return 'patience';
    return null;
  }

  private eta(maxSteps: number | null, stepsPerSecond: number, elapsed: number): number | null {
    const o = this.opts;
    const bySteps = maxSteps !== null && stepsPerSecond > 0 ? (maxSteps - this.run.step) / stepsPerSecond : Infinity;
    const byTime = o.maxTime !== null ? o.maxTime - elapsed : Infinity;
    const eta = Math.min(bySteps, byTime);
    return Number.isFinite(eta) ? Math.max(0, eta) : null;
  }

  private lastValLoss(): number | null {
    for (let i = this.run.history.length - 1; i >= 0; i--) if (this.run.history[i].valLoss !== null) return this.run.history[i].valLoss;
    return null;
  }

  /** The history row of the run as it is now, with this validation loss. */
  private entry(valLoss: number | null): HistoryEntry {
    const run = this.run;
    const n = run.lossCount;
    const o = this.opts;
    return {
      step: run.step, epoch: this.batches.epoch, trainLoss: n > 0 ? run.lossSum / n : null, valLoss,
      lr: learningRate(this.schedule(), Math.max(0, run.step - 1)), gradNorm: n > 0 ? run.gradNormSum / n : null, clipRate: n > 0 ? run.clips / n : null,
      charsPerSecond: run.stepSeconds > 0 ? (n * o.batchSize * o.seqLength) / run.stepSeconds : null, seconds: run.elapsedSeconds,
    };
  }

  /** Record a history row; keep the weights as the best model when validation improves. */
  private async evaluate(report?: (e: EvalReport) => void): Promise<void> {
    const run = this.run;
    const valLoss = this.sink.validate();
    const entry = this.entry(valLoss);
    run.history.push(entry);
    run.lossSum = 0; run.lossCount = 0; run.gradNormSum = 0; run.clips = 0; run.stepSeconds = 0;
    // Without a validation split, the latest weights are the best we know.
    const improved = valLoss === null || run.bestValLoss === null || valLoss < run.bestValLoss;
    if (improved) {
      run.bestValLoss = valLoss ?? run.bestValLoss;
      run.bestStep = run.step;
      run.evalsSinceBest = 0;
      await this.sink.saveBest(run);
      this.events.saved?.('model', this.opts.output);
    } else if (valLoss > run.bestValLoss! * (1 + PATIENCE_MARGIN)) {
      run.evalsSinceBest += 1; // clearly past its best
    } else {
      run.evalsSinceBest = 0; // a plateau or a bump: not clearly past it
    }
    if (valLoss !== null && this.opts.keep > 0) await this.keep(valLoss);
    if (valLoss !== null) report?.({ step: run.step, valLoss, improved, entry });
  }

  /** --keep N: the N best evaluations so far as files of their own; a better one pushes the worst out. */
  private async keep(valLoss: number): Promise<void> {
    const kept = this.run.kept;
    const N = this.opts.keep;
    if (kept.length >= N && !(valLoss < kept[kept.length - 1]!.valLoss)) return;
    kept.push({ step: this.run.step, valLoss, file: await this.sink.saveKept(this.run, valLoss) });
    kept.sort((a, b) => a.valLoss - b.valLoss || a.step - b.step);
    while (kept.length > N) this.sink.removeKept(kept.pop()!.file);
  }

  private async checkpoint(): Promise<void> {
    const start = this.clock();
    await this.sink.saveCheckpoint(this.run, this.optimizer, this.carried);
    this.hasCheckpoint = true;
    // the next default one after CHECKPOINT_SECONDS, or later for a model whose checkpoint takes long to write
    const end = this.clock();
    this.nextCheckpoint = end + Math.max(CHECKPOINT_SECONDS * 1000, (end - start) / CHECKPOINT_SHARE);
    this.events.saved?.('checkpoint', this.opts.checkpoint);
  }
}

function allFinite(params: readonly Param[]): boolean {
  for (const p of params) for (let i = 0; i < p.data.length; i++) if (!Number.isFinite(p.data[i])) return false;
  return true;
}
