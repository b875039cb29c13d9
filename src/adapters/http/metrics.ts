/** Prometheus metrics (prom-client) behind the services' Metrics port. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { JobQueue, Metrics } from "../../services/ports/index.ts";

export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: "grantbot_requests_total", help: "Access requests filed", labelNames: ["resource"], registers: [this.registry] });
  private readonly activations = new Counter({ name: "grantbot_activations_total", help: "Grants activated (SCIM membership confirmed)", labelNames: ["resource"], registers: [this.registry] });
  private readonly activationLatency = new Histogram({
    name: "grantbot_activation_seconds",
    help: "Approval (merge check passed) -> access effective",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly revocations = new Counter({ name: "grantbot_revocations_total", help: "Grants ended", labelNames: ["resource", "reason"], registers: [this.registry] });
  private readonly lag = new Histogram({
    name: "grantbot_expiry_lag_seconds",
    help: "Scheduled expiry -> SCIM removal confirmed",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 60, 300],
    registers: [this.registry],
  });
  private readonly jobFailures = new Counter({ name: "grantbot_job_failures_total", help: "Job attempts that failed", labelNames: ["kind"], registers: [this.registry] });
  readonly httpRequests = new Counter({ name: "grantbot_http_requests_total", help: "HTTP requests by route and status", labelNames: ["route", "status"], registers: [this.registry] });

  constructor(jobs: JobQueue | null, options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    if (jobs) {
      new Gauge({
        name: "grantbot_job_queue_depth",
        help: "Queued and running jobs by kind",
        labelNames: ["kind"],
        registers: [this.registry],
        async collect() {
          this.reset();
          let depth: Record<string, number>;
          try {
            depth = await jobs.depth();
          } catch {
            return; // database down: /metrics still answers, grantbot_dependency_up says why
          }
          for (const [kind, n] of Object.entries(depth)) this.set({ kind }, n);
        },
      });
    }
  }

  /**
   * `grantbot_dependency_up{dependency="slack"|"github"|"scim:<target>"|"database"}`: 1 up, 0 down
   * or refusing grantbot's credential, from the last check (the database at scrape time).
   */
  /**
   * Per-instance gauges, labelled with the instance id (several instances behind one load balancer
   * are told apart): jobs running here, age of their leases, leadership, job wake-up connection.
   */
  watchInstance(instance: string, read: () => { running: number; leaseAgeMs: number; leader: boolean; listening: boolean }): void {
    const gauge = (name: string, help: string, value: (r: ReturnType<typeof read>) => number) =>
      new Gauge({ name, help, labelNames: ["instance"], registers: [this.registry], collect() { this.set({ instance }, value(read())); } });
    gauge("grantbot_instance_jobs_running", "Jobs this instance is running now", (r) => r.running);
    gauge("grantbot_instance_lease_age_seconds", "Since this instance last extended its running jobs' leases (0 when none run)", (r) => r.leaseAgeMs / 1000);
    gauge("grantbot_instance_leader", "1 when this instance runs the once-per-cluster duties (always 1 on SQLite)", (r) => (r.leader ? 1 : 0));
    gauge("grantbot_instance_listening", "1 when this instance hears other instances' job wake-ups (always 1 on SQLite)", (r) => (r.listening ? 1 : 0));
  }

  watchDependencies(read: () => Record<string, 0 | 1>): void {
    new Gauge({
      name: "grantbot_dependency_up",
      help: "1 when the dependency answered its last check, 0 when it is down or refuses grantbot's credential",
      labelNames: ["dependency"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [dependency, up] of Object.entries(read())) this.set({ dependency }, up);
      },
    });
  }

  requestFiled(resource: string): void {
    this.requests.inc({ resource });
  }
  activated(resource: string, latencyMs: number): void {
    this.activations.inc({ resource });
    this.activationLatency.observe(latencyMs / 1000);
  }
  ended(resource: string, reason: string): void {
    this.revocations.inc({ resource, reason });
  }
  expiryLag(ms: number): void {
    this.lag.observe(Math.max(0, ms) / 1000);
  }
  jobFailed(kind: string): void {
    this.jobFailures.inc({ kind });
  }
}
