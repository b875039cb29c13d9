/**
 * Checks every dependency with the probes of probes.ts — once at start-up (`checkAtStartup`:
 * a refused credential stops the start, an unreachable dependency starts grantbot degraded) and
 * then every RECHECK_EVERY_MS (the `dependency-check` periodic task) — and records the outcome in
 * DependencyHealth, logging each change. The probes use clients of their own (no retries, a
 * PROBE_TIMEOUT_MS timeout), so a check never waits behind grantbot's jobs nor holds them up.
 */
import type { Config } from "../../config/types.ts";
import { AppError } from "../../domain/errors.ts";
import type { Log } from "../../services/ports/index.ts";
import { createOctokit, githubAuthFromConfig } from "../github/octokit.ts";
import { createGroupDirectories, scimTargetsFromConfig } from "../scim/group-directories.ts";
import { describeState, scimDependency, type DependencyHealth } from "./dependency-health.ts";
import { githubProbe, scimProbe, slackProbe, type Probe, type ProbeOutcome } from "./probes.ts";

/** Longest one check of one dependency may take. */
export const PROBE_TIMEOUT_MS = 5_000;
/** How often every dependency is checked again while grantbot runs. */
export const RECHECK_EVERY_MS = 30_000;

/** Start-up refused: a dependency rejected grantbot's credential. The message is for operators. */
export class StartupRefusedError extends AppError {
  constructor(readonly problems: readonly string[]) {
    super("config_invalid", problems.length === 1 ? `grantbot cannot start: ${problems[0]}` : `grantbot cannot start:\n${problems.map((p) => `- ${p}`).join("\n")}`);
  }
}

export class DependencyChecker {
  constructor(
    readonly health: DependencyHealth,
    private readonly probes: ReadonlyMap<string, Probe>,
    private readonly log: Log,
  ) {}

  /** Probes for Slack, GitHub and every SCIM target of `config`. */
  static fromConfig(config: Config, health: DependencyHealth, log: Log, timeoutMs = PROBE_TIMEOUT_MS): DependencyChecker {
    const probes = new Map<string, Probe>();
    probes.set("slack", slackProbe({ token: config.slack.botToken.reveal(), apiUrl: config.slack.apiUrl, timeoutMs }));
    const gh = config.github;
    const octokit = createOctokit({ baseUrl: gh.apiUrl, auth: githubAuthFromConfig(gh.auth), timeoutMs });
    probes.set("github", githubProbe({ octokit, repository: gh.repository, baseBranch: gh.baseBranch, auth: gh.auth.kind, timeoutMs }));
    const connections = scimTargetsFromConfig(config.scimTargets).map((t) => ({ ...t, timeoutMs: Math.min(t.timeoutMs ?? timeoutMs, timeoutMs) }));
    const targets = createGroupDirectories(connections);
    for (const name of targets.names()) {
      const target = targets.get(name);
      probes.set(scimDependency(name), scimProbe({ target: name, findGroup: (group) => target.findGroup(group), timeoutMs }));
    }
    return new DependencyChecker(health, probes, log);
  }

  /** Runs every probe once, in parallel; records the outcomes and logs what changed. Never throws. */
  async checkAll(): Promise<Map<string, ProbeOutcome>> {
    const entries = await Promise.all([...this.probes].map(async ([name, probe]) => [name, await probe()] as const));
    for (const [name, outcome] of entries) {
      const before = this.health.set(name, outcome.state);
      const now = outcome.state;
      if (now.kind === before.kind && describeState(now) === describeState(before)) continue;
      if (now.kind === "down") this.log.warn({ dependency: name, reason: now.reason }, "dependency is down");
      else if (now.kind === "rejected") this.log.error({ dependency: name, reason: now.reason, hint: now.message }, "dependency refuses grantbot's credential");
      else if (now.kind === "ok" && before.kind !== "unchecked") this.log.info({ dependency: name }, "dependency is back");
    }
    return new Map(entries);
  }
}

/**
 * The start-up check: each dependency once, bounded. A refused credential throws
 * StartupRefusedError naming the variable(s); unreachable ones are logged and grantbot starts
 * degraded. Resolves with the Slack bot's ids when auth.test answered.
 */
export async function checkAtStartup(checker: DependencyChecker, log: Log): Promise<{ slackIds?: { botId: string; botUserId: string } }> {
  const outcomes = await checker.checkAll();
  const refused = [...outcomes.values()].flatMap((o) => (o.state.kind === "rejected" ? [o.state.message] : []));
  if (refused.length > 0) throw new StartupRefusedError(refused);
  const down = [...outcomes].filter(([, o]) => o.state.kind === "down").map(([name, o]) => `${name} (${describeState(o.state)})`);
  if (down.length > 0) log.warn({ degraded: down }, "starting degraded: these dependencies did not answer; work for them waits in the queue (see /readyz)");
  const slackIds = outcomes.get("slack")?.slackIds;
  return slackIds ? { slackIds } : {};
}
