/**
 * What grantbot knows about each dependency — Slack, GitHub, every SCIM target, the database — and
 * the readiness rule built on it (GET /readyz, the `grantbot_dependency_up` gauges).
 *
 * Remote dependencies keep the state of their last check (at start-up, then every 30 s:
 * dependency-checker.ts); the database is asked at the moment (one indexed read of the job queue).
 *
 * Readiness: grantbot is ready when it has finished starting, the database answers, and no
 * dependency is down or refusing its credential. Each one is needed for part of the job — Slack
 * to hear and answer people, GitHub to open and judge request PRs, each SCIM target to add and
 * remove its members — so a single SCIM target down makes /readyz 503 too, with that target named:
 * grants on it can be neither activated nor revoked until it is back (the work waits in the queue).
 * Nothing else changes while not ready: requests, webhooks and introspection are still served.
 */

export type DependencyState =
  | { kind: "ok" }
  /** Unreachable, timed out, 5xx or rate limited: retried; grantbot runs degraded meanwhile. */
  | { kind: "down"; reason: string }
  /** The remote refused grantbot's credential (Slack invalid_auth, GitHub 401, SCIM 401/403). */
  | { kind: "rejected"; reason: string; message: string }
  /** Not checked (checks off: tests, embedded use). Does not count against readiness. */
  | { kind: "unchecked" };

export type ReadinessBody = {
  ready: boolean;
  phase?: "starting";
  slack: string;
  github: string;
  scim: Record<string, string>;
  database: string;
  /** Whether this instance's job leases are current ("ok", or "stale: <why>"); present when asked for. */
  leases?: string;
};

export function describeState(state: DependencyState): string {
  switch (state.kind) {
    case "ok":
      return "ok";
    case "down":
      return `down: ${state.reason}`;
    case "rejected":
      return `rejected: ${state.reason}`;
    case "unchecked":
      return "unchecked";
  }
}

/** `slack`, `github`, `scim:<target>`: the dependency names of the gauges and the log. */
export const scimDependency = (target: string) => `scim:${target}`;

export class DependencyHealth {
  readonly #states = new Map<string, DependencyState>();

  /**
   * `scimTargets`: every configured target; `database()` returns null when the database answers,
   * else why not.
   */
  constructor(
    private readonly scimTargets: readonly string[],
    private readonly database: () => Promise<string | null> | string | null,
    /** Why this instance's job leases are not current, or null (absent: not reported). */
    private readonly leases?: () => string | null,
  ) {
    for (const name of this.names()) this.#states.set(name, { kind: "unchecked" });
  }

  /** Every remote dependency: `slack`, `github`, `scim:<target>`… */
  names(): string[] {
    return ["slack", "github", ...this.scimTargets.map(scimDependency)];
  }

  get(name: string): DependencyState {
    return this.#states.get(name) ?? { kind: "unchecked" };
  }

  /** Records a check's outcome; returns the previous state (for logging changes). */
  set(name: string, state: DependencyState): DependencyState {
    const before = this.get(name);
    this.#states.set(name, state);
    return before;
  }

  #database: DependencyState = { kind: "unchecked" };

  /** Asks the database now; the answer is also what the gauges show until the next ask. */
  private async databaseState(): Promise<DependencyState> {
    let problem: string | null;
    try {
      problem = await this.database();
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    this.#database = problem === null ? { kind: "ok" } : { kind: "down", reason: problem };
    return this.#database;
  }

  /** The /readyz answer; `started` false while grantbot is still starting. */
  async readiness(started: boolean): Promise<ReadinessBody> {
    const database = await this.databaseState();
    const leaseProblem = this.leases ? this.leases() : null;
    const all = [database, ...this.names().map((n) => this.get(n))];
    const healthy = all.every((s) => s.kind === "ok" || s.kind === "unchecked") && leaseProblem === null;
    return {
      ready: started && healthy,
      ...(started ? {} : { phase: "starting" as const }),
      slack: describeState(this.get("slack")),
      github: describeState(this.get("github")),
      scim: Object.fromEntries(this.scimTargets.map((t) => [t, describeState(this.get(scimDependency(t)))])),
      database: describeState(database),
      ...(this.leases ? { leases: leaseProblem === null ? "ok" : `stale: ${leaseProblem}` } : {}),
    };
  }

  /** 1 (up) or 0 (down or refusing) per checked dependency, `database` included; for the gauges. */
  upValues(): Record<string, 0 | 1> {
    const out: Record<string, 0 | 1> = {};
    for (const name of this.names()) {
      const state = this.get(name);
      if (state.kind !== "unchecked") out[name] = state.kind === "ok" ? 1 : 0;
    }
    if (this.#database.kind !== "unchecked") out.database = this.#database.kind === "ok" ? 1 : 0;
    return out;
  }
}
