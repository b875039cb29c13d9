/**
 * `grantbot demo` (`npm run demo`): the whole lifecycle on this machine with the embedded defaults
 * — a temporary data directory, generated signing keys, local stand-ins for the Slack and GitHub
 * APIs and a local SCIM server per target (world.ts) — driving the real grantbot server exactly as
 * Slack and GitHub would. Prints each step with its time and latency.
 */
import { createLocalJWKSet, jwtVerify } from "jose";
import type { CliIO } from "../cli/io.ts";
import { runLeaverDemo } from "./leaver-demo.ts";
import { DemoWorld } from "./world.ts";

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}

export async function runDemo(args: string[], io: CliIO): Promise<number> {
  const seconds = Number(args.find((a) => /^--duration=\d+$/.test(a))?.split("=")[1] ?? 5);
  const say = (text: string) => io.stdout(`${stamp()}  ${text}\n`);
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  let world: DemoWorld | null = null;
  try {
    say("starting local stand-ins (Slack Web API, GitHub API, SCIM servers) and grantbot…");
    world = await DemoWorld.start();
    const w = world;
    say(`grantbot listening on ${w.url}; SCIM targets: ${[...w.scim.keys()].join(", ")}; data dir ${w.env.GRANTBOT_DATA_DIR}`);
    const alice = w.person("alice");

    say(`alice types: /access prod-db-readonly ${seconds}s INC-1234 investigate replica lag`);
    const ack = await w.slash(`prod-db-readonly ${seconds}s INC-1234 investigate replica lag`, alice.slack);
    say(`  slash command acknowledged: HTTP ${ack.status} in ${ms(ack.ms)}`);
    const requestedAt = performance.now();
    const grant = await w.waitFor(() => w.latestGrantOf(alice.email), 5000, "the request");
    const pr = (await w.waitForGrant(grant.id, ["pr_open"])).prNumber!;
    const calls = w.github.calls();
    const reads = calls.filter((c) => c.op === "repos/get-content").length;
    say(`  pull request #${pr} opened in ${ms(performance.now() - requestedAt)}: ${calls.length - reads} GitHub API calls to open it (${calls.filter((c) => c.op !== "repos/get-content").map((c) => c.op).join(", ")}), ${reads} conditional reads of the catalog`);
    say(`  branch grant/${grant.id}, file ${grant.filePath}:`);
    for (const line of grant.fileContent.trimEnd().split("\n")) io.stdout(`      ${line}\n`);
    say(`  DM to alice: ${(await w.waitFor(() => w.dmTexts(alice.slack).find((t) => t.includes(`#${pr}`)), 5000, "request DM")).split("\n")[0]}`);

    const card = async (match: RegExp) => {
      const text = await w.waitFor(async () => {
        const current = (await w.channelCard(grant.id))?.text;
        return current !== undefined && match.test(current) ? current : null;
      }, 5000, `the request card to match ${match}`);
      say(`  request card in ${(await w.channelCard(grant.id))?.channel ?? "?"}: ${text}`);
    };
    await card(/Waiting for review/);

    say("carol-gh (DBA lead, an approver) approves the PR on its final commit; GitHub sends pull_request_review");
    await w.approve(pr, "carol-gh");
    await card(/1 of 1 approval/);
    say("carol-gh merges it");
    const mergedAt = performance.now();
    say(`  signed pull_request.closed webhook delivered: HTTP ${await w.merge(pr, "carol-gh")}`);
    await w.waitForGrant(grant.id, ["active"]);
    const token = await w.waitFor(() => w.credentialToken(grant.id), 5000, "credential DM");
    const effective = performance.now() - mergedAt;
    const active = await w.grant(grant.id);
    say(`  ACTIVE: merge -> access effective (SCIM membership confirmed, credential issued, DM sent) in ${ms(effective)}`);
    say(`  SCIM group prod-db-readonly members: ${w.members("aws", "prod-db-readonly").join(", ")}`);
    const jwks = (await (await fetch(`${w.url}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks as never), { issuer: w.env.GRANTBOT_PUBLIC_URL, audience: "prod-db" });
    say(`  credential verified against ${w.url}/.well-known/jwks.json: alg ${protectedHeader.alg}, kid ${protectedHeader.kid?.slice(0, 12)}…, sub ${payload.sub}, scope "${String(payload.scope)}", exp ${new Date((payload.exp ?? 0) * 1000).toISOString()}`);
    say(`  introspection: active=${String((await w.introspect(token)).active)}; expires at ${new Date(active.expiresAt!).toISOString()}`);
    say(`  PR comment: ${w.github.comments(pr).at(-1)?.split("\n")[0] ?? "(none yet)"}`);
    await card(/Active until/);

    say(`waiting for the expiry (${seconds}s after activation)…`);
    await w.waitFor(() => !w.members("aws", "prod-db-readonly").includes(alice.email), (seconds + 10) * 1000, "membership removed");
    const removedAt = Date.now();
    const inactive = await w.introspect(token);
    say(`  EXPIRED: expiry -> SCIM removal confirmed in ${ms(removedAt - active.expiresAt!)} after the scheduled second; introspection active=${String(inactive.active)}`);
    await w.waitFor(async () => await w.credentialToken(grant.id) === null, 5000, "credential DM redacted");
    say("  credential DM edited: the token no longer appears");
    await w.settle();
    say(`  PR comment: ${w.github.comments(pr).at(-1)?.split("\n")[0] ?? "(none)"}`);
    say(`  DM to alice: ${w.dmTexts(alice.slack).at(-1)?.split("\n")[0] ?? "(none)"}`);
    await card(/Ended at/);
    const audit = await w.grantbot.deps.audit.verify();
    say(`audit log: ${audit.ok ? "chain verified" : "BROKEN"} (${audit.rows} rows): ${(await w.grantbot.deps.audit.forGrant(grant.id)).map((r) => r.action).join(" -> ")}`);
    say(`summary: merge -> active ${ms(effective)}; expiry -> removed ${ms(removedAt - active.expiresAt!)}`);
    await w.stop();
    world = null;
    const leaverOk = await runLeaverDemo(io, say);
    return audit.ok && leaverOk ? 0 : 1;
  } catch (err) {
    io.stderr(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    await world?.stop();
  }
}
