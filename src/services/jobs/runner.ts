/**
 * Runs the durable job queue. Every side effect grantbot performs is a job: it survives a crash
 * (re-claimed after restart), is retried with backoff, and runs no earlier than its `runAt` —
 * a timer is armed for the earliest due job, so an expiry runs at its second, not at the next
 * sweep. Jobs sharing a lock key never overlap.
 *
 * Throughput (1,000 grants expiring in the same second, revoked within a second): one transaction
 * per turn records the jobs finished since the last turn and claims the next ones (one fsync, not
 * two per job); a job finished but not yet recorded when the process dies runs again (idempotent).
 * - kinds whose handler has `batch` (expiries, SCIM removals) are claimed many at a time and run
 *   together (one transaction for many expiries, one PATCH and one read-back per SCIM group);
 *   at most one batch per `batch.key` runs at once, so the next batch collects what arrived
 *   meanwhile, and a slow target (its own key) never holds up another target's batch.
 */
import { AsyncResource } from "node:async_hooks";
import type { Job } from "../ports/index.ts";
import { ForegroundHold } from "./foreground-hold.ts";
import { LeaseHeartbeat } from "./lease-heartbeat.ts";
import { NOTIFIED_DUE_DELAY_MS, RECHECK_BLOCKED_MS, SLOTS_WHILE_REVOKING, type JobRunnerDeps, type JobRunnerOptions } from "./runner-options.ts";
import type { BatchFailures, JobHandler } from "./handler.ts";
import { recordFailure } from "./failures.ts";

export type { BatchContext, BatchFailures, JobContext, JobHandler } from "./handler.ts";
export type { JobRunnerDeps, JobRunnerOptions } from "./runner-options.ts";

export class JobRunner {
  private running = new Set<Promise<void>>();
  private timer: { cancel(): void } | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private stopped = true;
  private ticking = false;
  /** The tick in progress (its claim may still be on its way back from the database). */
  private currentTick: Promise<void> = Promise.resolve();
  private readonly scope = new AsyncResource("grantbot.job-runner");
  private tickAgain = false;
  /** Jobs that finished and are not yet recorded as done (flushed by the next tick). */
  private finished: number[] = [];
  /** Finished jobs being recorded as done right now (still held until that commits). */
  private recording: number[] = [];
  /** Batches running, per kind and batch key. */
  private readonly batchesRunning = new Map<string, Map<string, number>>();
  private readonly batchKinds: string[];
  private readonly singleKinds: string[];
  private readonly foregroundHold = new ForegroundHold(() => this.deps.foreground, () => this.deps.timers, () => this.wake());
  /** Jobs of kinds without `batch` running now. */
  private singlesRunning = 0;
  private readonly active = new Map<number, string>(); // running jobs: id -> kind (activeJobs)
  /** Extends the leases of the running and finished-not-recorded jobs, a third of a lease apart. */
  private readonly heartbeat: LeaseHeartbeat;

  constructor(
    private readonly deps: JobRunnerDeps,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    private readonly options: JobRunnerOptions,
  ) {
    this.batchKinds = Object.keys(handlers).filter((k) => handlers[k]!.batch);
    this.singleKinds = Object.keys(handlers).filter((k) => !handlers[k]!.batch);
    this.heartbeat = new LeaseHeartbeat(deps, options.leaseMs, () => [...this.active.keys(), ...this.finished, ...this.recording], this.scope);
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Stops claiming and waits for jobs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    await this.currentTick;
    await Promise.allSettled([...this.running]);
    await this.flush();
    this.heartbeat.stop();
  }

  /** New work may be due: claim now and re-arm the timer. Cheap; safe to call often. */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    // A macrotask, not a microtask: every job that finishes in this turn of the event loop is
    // recorded by the same tick (one transaction), and I/O waiting in this turn (an incoming
    // request to acknowledge) is not held up behind the runner.
    // In the runner's own async context: wake() is often called inside a transaction's body,
    // whose context must not follow the tick (it would look like part of that transaction).
    setImmediate(() => this.scope.runInAsyncScope(() => (this.currentTick = this.tick())));
  }

  /** Since the running jobs' leases were last extended (0 when none run). */
  leaseAgeMs(): number {
    return this.heartbeat.ageMs();
  }
  leaseProblem(): string | null {
    const age = this.leaseAgeMs();
    return age > this.options.leaseMs ? `job leases not renewed for ${Math.round(age / 1000)} s (lease ${this.options.leaseMs / 1000} s)` : null;
  }

  /** A job due at `at` was queued (NOTIFY): claim at that moment, or soon if due (NOTIFIED_DUE_DELAY_MS). */
  wakeAt(at: number): void {
    const now = this.deps.clock.now();
    this.armAt(at <= now ? now + NOTIFIED_DUE_DELAY_MS : at);
  }

  /** Waits until no job is due or running (tests, demo, CLI one-shots). */
  async drain(timeoutMs = 30_000): Promise<void> {
    for (let waited = 0; ; waited += 5) {
      await Promise.allSettled([...this.running]);
      await this.flush();
      const next = await this.deps.jobs.nextWakeAt();
      if (this.running.size === 0 && (next === null || next > this.deps.clock.now())) return;
      if (waited > timeoutMs) throw new Error("job queue did not drain in time");
      this.wake();
      await new Promise<void>((resolve) => this.deps.timers.setTimeout(resolve, 5));
    }
  }

  get inFlight(): number { return this.running.size; }
  /** The jobs running now (still running when `stop()` gave up waiting: leases to hand back). */
  get activeJobs(): Array<{ id: number; kind: string }> { return [...this.active].map(([id, kind]) => ({ id, kind })); }

  private async tick(): Promise<void> {
    try {
      this.tickAgain = false;
      if (this.stopped) return;
      const single: Job[] = [];
      const batches: Job[][] = [];
      // Leases are the heartbeat's (lease-heartbeat.ts), on a timer of its own.
      const bookkeeping = () => this.flushNow();
      const claims = async () => {
        let free = this.options.concurrency - this.running.size;
        if (free <= 0) return;
        const now = this.deps.clock.now();
        for (const kind of this.batchKinds) {
          const batch = this.handlers[kind]!.batch!;
          const parallel = batch.parallel ? (this.options.parallelBatches ?? 1) : 1;
          const busy = [...(this.batchesRunning.get(kind) ?? [])].filter(([, n]) => n >= parallel).map(([key]) => key);
          const jobs = await this.deps.jobs.claim(now, batch.size, this.options.leaseMs, [kind], busy);
          const byKey = new Map<string, Job[]>();
          for (const job of jobs) {
            const key = batch.key(job);
            byKey.set(key, [...(byKey.get(key) ?? []), job]);
          }
          for (const group of byKey.values()) batches.push(group);
          free -= byKey.size;
        }
        // Revocations first: while batches (expiries, SCIM removals) are in flight, at most
        // SLOTS_WHILE_REVOKING other jobs (DMs, redactions, PR comments) run at once — a cap on
        // those running, not per claim (every finished removal group wakes the runner) — so they
        // neither delay the removals nor starve.
        const revoking = batches.length > 0 || [...this.batchesRunning.values()].some((keys) => keys.size > 0);
        const limit = this.foregroundHold.hold(now) ? 0 : revoking ? Math.min(free, SLOTS_WHILE_REVOKING - this.singlesRunning) : free;
        if (limit > 0 && this.singleKinds.length > 0) single.push(...await this.deps.jobs.claim(now, limit, this.options.leaseMs, this.singleKinds));
      };
      // Leases and completions only: losing them with the machine re-runs idempotent jobs. Claims
      // join that transaction (one commit per turn) unless the queue is shared by several
      // instances (`groupClaims: false`), where each claim commits on its own, so the cluster-wide
      // claim lock is never held across this turn's other writes.
      const grouped = this.options.groupClaims !== false;
      const turn = async () => {
        await bookkeeping();
        if (grouped) await claims();
      };
      // (Without grouped claims the bookkeeping is one statement: no transaction around it.)
      if (this.deps.tx && grouped) await this.deps.tx.transaction(turn, { durable: false });
      else await turn();
      if (!grouped) await claims();
      if (this.stopped) {
        await this.deps.jobs.release([...batches.flat(), ...single].map((j) => j.id));
        return;
      }
      if (batches.length > 0 || single.length > 0) this.heartbeat.claimed(); // fresh leases from the claim
      for (const group of batches) this.launchBatch(group);
      for (const job of single) this.launch(job);
      this.heartbeat.arm();
      await this.arm();
    } catch (err) {
      this.deps.log.error({ err: String(err) }, "job runner tick failed");
      this.armAt(this.deps.clock.now() + 1_000);
    } finally {
      this.ticking = false;
      if (this.tickAgain) this.wake();
    }
  }

  /** Records finished jobs as done (in the caller's transaction, if any). */
  private async flushNow(): Promise<void> {
    if (this.finished.length === 0) return;
    const ids = this.finished;
    this.finished = [];
    this.recording = ids;
    await this.deps.jobs.completeAll(ids).finally(() => (this.recording = []));
  }

  /** Records finished jobs as done, in one transaction. */
  private async flush(): Promise<void> {
    if (this.finished.length === 0) return;
    try {
      if (this.deps.tx) await this.deps.tx.transaction(async () => this.flushNow(), { durable: false });
      else await this.flushNow();
    } catch (err) {
      this.deps.log.error({ err: String(err) }, "recording finished jobs failed; they will run again");
    }
  }

  private async done(id: number): Promise<void> {
    if (this.deps.tx) this.finished.push(id);
    else await this.deps.jobs.complete(id);
  }

  private async arm(): Promise<void> {
    const next = await this.deps.jobs.nextWakeAt();
    if (next === null) return;
    // Called right after a claim: a job still due now could not be taken (every slot busy, or
    // its lock key held by a running job). It becomes claimable when a running job finishes, and
    // every finish wakes the runner; a timer at "now" would only spin (a claim query per turn of
    // the event loop while saturated). A slower re-check covers a lock whose lease runs out.
    const now = this.deps.clock.now();
    this.armAt(next <= now ? now + RECHECK_BLOCKED_MS : next);
  }

  private armAt(at: number): void {
    if (this.stopped) return;
    if (this.timer && this.timerAt <= at) return;
    this.timer?.cancel();
    this.timerAt = at;
    const delay = Math.max(0, at - this.deps.clock.now());
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.wake();
    }, delay);
  }

  private launch(job: Job): void {
    this.singlesRunning++;
    this.active.set(job.id, job.kind);
    const p = this.execute(job).finally(() => {
      this.singlesRunning--;
      this.active.delete(job.id);
      this.running.delete(p);
      this.wake();
    });
    this.running.add(p);
  }

  private async execute(job: Job): Promise<void> {
    const handler = this.handlers[job.kind];
    const log = this.deps.log.child({ jobId: job.id, jobKind: job.kind, attempt: job.attempts });
    if (!handler) {
      await this.deps.jobs.fail(job.id, `no handler for job kind ${job.kind}`, null);
      return;
    }
    try {
      await handler.run(job.payload, { job, log });
      await this.done(job.id);
    } catch (err) {
      await recordFailure({ jobs: this.deps.jobs, clock: this.deps.clock, metrics: this.deps.metrics, retry: this.options.retry }, job, handler, err, log);
    }
  }

  private launchBatch(jobs: Job[]): void {
    const kind = jobs[0]!.kind;
    const handler = this.handlers[kind]!;
    const key = handler.batch!.key(jobs[0]!);
    const keys = this.batchesRunning.get(kind) ?? new Map<string, number>();
    keys.set(key, (keys.get(key) ?? 0) + 1);
    this.batchesRunning.set(kind, keys);
    for (const job of jobs) this.active.set(job.id, kind);
    const p = this.executeBatch(handler, jobs).finally(() => {
      const left = (keys.get(key) ?? 1) - 1;
      if (left > 0) keys.set(key, left);
      else keys.delete(key);
      for (const job of jobs) this.active.delete(job.id);
      this.running.delete(p);
      this.wake();
    });
    this.running.add(p);
  }

  private async executeBatch(handler: JobHandler, jobs: Job[]): Promise<void> {
    const log = this.deps.log.child({ jobKind: jobs[0]!.kind, batch: jobs.length });
    let failures: BatchFailures;
    try {
      failures = await handler.batch!.run(jobs, { log });
    } catch (err) {
      failures = new Map(jobs.map((job) => [job.id, err]));
    }
    for (const job of jobs) {
      if (!failures.has(job.id)) await this.done(job.id);
      else await recordFailure({ jobs: this.deps.jobs, clock: this.deps.clock, metrics: this.deps.metrics, retry: this.options.retry }, job, handler, failures.get(job.id), log.child({ jobId: job.id, attempt: job.attempts }));
    }
  }
}
