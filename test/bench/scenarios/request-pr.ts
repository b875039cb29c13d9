/**
 * Request -> PR opened, one request at a time: GitHub API calls counted at the fake GitHub from
 * the slash command to the PR's last call (its labels) — every call, conditional reads of the
 * catalog included — the commits on the PR branch, and the latency from sending the slash command
 * to grantbot recording the PR (audit `grant.pr_opened`).
 */
import { benchPerson } from "../population.ts";
import { waitForGrant, waitUntil } from "../inspect.ts";
import { sleep, summarize } from "../stats.ts";
import type { BenchContext, Figure } from "./types.ts";

export async function requestToPr(ctx: BenchContext): Promise<Figure[]> {
  const { world } = ctx;
  const { inspect } = ctx.cluster;
  const n = ctx.quick ? 10 : 40;
  // Let earlier scenarios' PR jobs finish so their calls are not counted here.
  await waitUntil(async () => (await inspect.grants()).every((g) => g.state !== "requested"), 60_000, "earlier requests to open their PRs", 50);
  await sleep(300);
  const calls: number[] = [];
  const latencies: number[] = [];
  const commits: number[] = [];
  const byRoute = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    // One request at a time: the previous one's follow-up jobs (its request card and DMs, which
    // read the catalog themselves) finish before the next is counted.
    await waitUntil(async () => (await inspect.pendingJobs()) === 0, 30_000, "the previous request's jobs", 5);
    const user = benchPerson(ctx.nextPerson());
    const before = world.github.calls().length;
    const t0 = Date.now();
    const ack = await world.slash(`prod-db-readonly 1h bench: request to PR ${i}`, user.slack);
    const id = await world.filedGrantId(ack.responseId);
    const grant = await waitForGrant(inspect, id, ["pr_open"], 30_000);
    const opened = (await inspect.auditFor(id)).find((r) => r.action === "grant.pr_opened");
    latencies.push((opened?.at ?? Date.now()) - t0);
    // Up to the PR's last call (its labels): what follows belongs to later jobs (request card,
    // DMs), which may read the catalog for themselves.
    const after = world.github.calls().slice(before);
    const last = after.findIndex((c) => c.op === "issues/add-labels" && c.path.endsWith(`/issues/${grant.prNumber}/labels`));
    const made = last >= 0 ? after.slice(0, last + 1) : after;
    calls.push(made.length);
    for (const c of made) byRoute.set(c.route ?? c.path, (byRoute.get(c.route ?? c.path) ?? 0) + 1);
    commits.push(world.github.commitsAhead(grant.branch).length);
  }
  const c = summarize(calls, "calls");
  const oneCommit = commits.every((x) => x === 1);
  const perRoute = [...byRoute].map(([route, count]) => `${route} ×${(count / n).toFixed(2)}`).join(", ");
  return [
    {
      key: "github_calls_per_request",
      title: "GitHub API calls per request -> PR",
      summary: c,
      notes: `commits per PR: ${[...new Set(commits)].join("/")}; per request: ${perRoute}`,
      extra: { perRoute: Object.fromEntries([...byRoute].map(([k, v]) => [k, v / n])), commits },
      bar: { text: "Request -> PR opened: at most 5 GitHub API calls, one atomic commit", met: c.max <= 5 && oneCommit, why: `max ${c.max} calls, ${oneCommit ? "1 commit each" : "not always 1 commit"}` },
    },
    { key: "request_to_pr_latency", title: "Request -> PR opened (latency)", summary: summarize(latencies) },
  ];
}
