/**
 * Merge webhook -> access effective: from sending the signed `pull_request.closed` (merged)
 * delivery to the moment the membership is confirmed in SCIM (audit `grant.activated`, written
 * after the read-back), the credential issued and its DM received by Slack (the fake records
 * `postedAt`). One merge at a time.
 *
 * Its floor, measured in the same run by a minimal script in this process: the same SCIM PATCH
 * (add one member), one EdDSA JWT sign with jose, one chat.postMessage — sequentially, the least
 * any implementation must do. Reported as a ratio.
 */
import { generateKeyPair, SignJWT } from "jose";
import { pullRequestEvent } from "../../fakes/github-webhooks.ts";
import { benchPerson } from "../population.ts";
import { ensureUsers } from "../scim-targets.ts";
import { waitForGrant, waitUntil } from "../inspect.ts";
import { sleep, summarize } from "../stats.ts";
import type { BenchContext, Figure } from "./types.ts";

const JWT_RE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

export async function mergeToEffective(ctx: BenchContext): Promise<Figure[]> {
  const { world } = ctx;
  const n = ctx.quick ? 10 : 40;
  const people = Array.from({ length: n }, () => benchPerson(ctx.nextPerson()));
  // File every request first; the measured part is the merge.
  const filed = await Promise.all(
    people.map(async (p, i) => {
      const ack = await world.slash(`prod-db-readonly 1h bench: merge ${i}`, p.slack);
      return { person: p, id: await world.filedGrantId(ack.responseId) };
    }),
  );
  const prs = [];
  const { inspect } = ctx.cluster;
  for (const f of filed) prs.push({ ...f, pr: (await waitForGrant(inspect, f.id, ["pr_open"], 60_000)).prNumber! });
  await waitUntil(async () => (await inspect.grants()).every((g) => g.state !== "requested"), 60_000, "PRs opened", 20);
  await sleep(500);

  const latencies: number[] = [];
  for (const { id, pr } of prs) {
    world.approve(pr);
    world.github.merge(pr, { by: "carol-gh" });
    const t0 = Date.now();
    const status = await world.deliver("pull_request", pullRequestEvent(world.github, pr));
    if (status !== 202) throw new Error(`merge webhook answered ${status}`);
    // The credential is "sent" when a DM first shows the token (grantbot posts the DM, then writes the token into it).
    const shown = await world.waitFor(() => credentialShownAt(world, id), 30_000, `credential DM of ${id}`, 2);
    const activated = (await inspect.auditFor(id)).find((r) => r.action === "grant.activated");
    if (!activated) throw new Error(`grant ${id} has a DM but no activation`);
    latencies.push(Math.max(shown, activated.at) - t0);
    await sleep(50);
  }
  const members = new Set(world.scim.get("aws")!.members("prod-db-readonly"));
  const missing = people.filter((p) => !members.has(p.email)).length;
  if (missing > 0) throw new Error(`${missing} activated grants have no SCIM membership`);

  const floor = await measureFloor(ctx, n);
  const g = summarize(latencies);
  const f = summarize(floor);
  const ratio50 = g.p50 / f.p50;
  const ratio99 = g.p99 / f.p99;
  return [
    {
      key: "merge_to_access_effective",
      title: "Merge webhook -> access effective",
      summary: g,
      notes: `vs floor: ${ratio50.toFixed(1)}× at p50, ${ratio99.toFixed(1)}× at p99`,
      extra: { ratioP50: ratio50, ratioP99: ratio99 },
      bar: { text: "Merge -> access effective p99 < 1 s on loopback", met: g.p99 < 1000, why: `p99 ${g.p99} ms` },
    },
    { key: "merge_floor", title: "  floor: SCIM PATCH + JWT sign + chat.postMessage", summary: f },
  ];
}

/** When a Slack message first showed grant `id`'s token (null while none has). */
export function credentialShownAt(world: BenchContext["world"], id: string): number | null {
  for (const m of world.slack.messages()) {
    const version = m.history.find((v) => v.text.includes(id) && JWT_RE.test(v.text));
    if (version) return version.at;
  }
  return null;
}

async function measureFloor(ctx: BenchContext, n: number): Promise<number[]> {
  const { world } = ctx;
  const scim = world.scim.get("aws")!;
  const group = scim.createGroup(`bench-floor-${Date.now()}`);
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const user = benchPerson(ctx.nextPerson());
    const [scimUserId] = ensureUsers(scim, [{ userName: user.email }]);
    world.slack.addUser({ id: user.slack, email: user.email, name: user.email });
    const t0 = performance.now();
    const patch = await fetch(`${scim.url}/Groups/${group.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${scim.token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: [{ value: scimUserId }] }] }),
    });
    await patch.arrayBuffer();
    if (!patch.ok) throw new Error(`floor PATCH answered ${patch.status}`);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ scope: "db:read", grant_id: `floor-${i}` })
      .setProtectedHeader({ alg: "EdDSA", kid: "floor", typ: "JWT" })
      .setIssuer("http://grantbot.test").setSubject(user.email).setAudience("prod-db").setJti(`floor-${i}`)
      .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 3600)
      .sign(privateKey);
    const post = await fetch(`${world.slack.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${world.slack.token}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ channel: user.slack, text: `credential \`${token}\`` }),
    });
    const body = (await post.json()) as { ok: boolean };
    if (!body.ok) throw new Error("floor chat.postMessage failed");
    out.push(performance.now() - t0);
  }
  return out;
}
