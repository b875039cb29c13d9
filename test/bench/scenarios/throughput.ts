/**
 * Credential throughput:
 * - JWT issue: the product's JoseCredentialSigner (EdDSA key from a fresh key store), signing in
 *   this process, one after another;
 * - introspection: POST /oauth/introspect on the grantbot child over HTTP keep-alive, 16 callers
 *   at once, for tokens of live grants (the answer is `active:true`, the most expensive path).
 *   With several instances: once on instance 0 alone, then round-robin over all of them (how it
 *   scales; on one machine the instances share its cores with the database and the load generator).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateSigningKeys } from "../../../src/adapters/credentials/key-store.ts";
import { JoseCredentialSigner } from "../../../src/adapters/credentials/jose-credential-signer.ts";
import { INTROSPECTION_TOKEN } from "../../crash/world.ts";
import { runLoadTimed, type LoadRequest } from "../run-loadgen.ts";
import { summarize } from "../stats.ts";
import type { BenchContext, Figure } from "./types.ts";

const JWT_RE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

export async function jwtIssue(ctx: BenchContext): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "grantbot-bench-keys-"));
  try {
    const now = Date.now();
    const keys = await loadOrCreateSigningKeys(dir, { now });
    const signer = new JoseCredentialSigner({ keys, issuer: "http://grantbot.test", clock: { now: () => Date.now() } });
    const n = ctx.quick ? 1000 : 5000;
    const each: number[] = [];
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await signer.sign({ subject: "eng@example.com", audience: "prod-db", scope: "db:read", grantId: `g${i}`, jti: `j${i}`, issuedAt: now, expiresAt: now + 3_600_000 });
      each.push(performance.now() - t);
    }
    const perSec = n / ((performance.now() - started) / 1000);
    return [{ key: "jwt_issue_per_second", title: "JWT issue (EdDSA sign), per second", summary: summarize([perSec], "/s"), notes: `1 core; per token p50 ${summarize(each).p50} ms, p99 ${summarize(each).p99} ms`, extra: { perToken: summarize(each) } }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function introspectionThroughput(ctx: BenchContext): Promise<Figure[]> {
  const { world, cluster } = ctx;
  const active = new Set((await cluster.inspect.grants()).filter((g) => g.state === "active" && (g.expiresAt ?? 0) > Date.now() + 60_000).map((g) => g.id));
  const tokens = world.slack
    .messages()
    .map((m) => ({ text: m.text, id: /Grant `([0-9A-Z]{26})`/.exec(m.text)?.[1] }))
    .filter((m) => m.id && active.has(m.id) && JWT_RE.test(m.text))
    .map((m) => JWT_RE.exec(m.text)![0]);
  if (tokens.length === 0) throw new Error("no live credentials to introspect");
  const n = ctx.quick ? 3_000 : 15_000;
  const requests: LoadRequest[] = Array.from({ length: n }, (_, i) => ({
    path: "/oauth/introspect",
    headers: { authorization: `Bearer ${INTROSPECTION_TOKEN}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: tokens[i % tokens.length]! }).toString(),
  }));
  const run = async (urls: string[]): Promise<Figure> => {
    const { results, elapsedMs } = await runLoadTimed(urls, requests, 16);
    const failed = results.filter((r) => r.status !== 200).length;
    const perSec = n / (elapsedMs / 1000);
    const latency = summarize(results.map((r) => r.ms));
    const several = urls.length > 1;
    return {
      key: several ? `introspection_per_second_x${urls.length}` : "introspection_per_second",
      title: `Introspection (HTTP, 16 callers)${several ? `, ${urls.length} instances` : cluster.instances > 1 ? ", 1 instance" : ""}, per second`,
      summary: summarize([perSec], "/s"),
      notes: `${n} requests over keep-alive from a separate process${several ? ", round-robin" : ""}, ${tokens.length} live tokens; latency p50 ${latency.p50} ms, p99 ${latency.p99} ms${failed ? `; ${failed} non-200!` : ""}`,
      extra: { latency, requests: n, instances: urls.length },
    };
  };
  const figures = [await run([world.url])];
  if (cluster.urls.length > 1) figures.push(await run(cluster.urls));
  return figures;
}
