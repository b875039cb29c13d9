/**
 * Break-glass request -> access effective: from sending `/access breakglass prod-db-readonly …`
 * (a signed slash command) to the moment the membership is confirmed in SCIM (audit
 * `grant.activated`, written after the read-back) and the credential DM shows the token — with no
 * review in between. One request at a time, each by a fresh person. Also reported: request ->
 * review PR opened and announced (audit `breakglass.activated`, written once both the access and
 * the PR exist, when the alerts are queued).
 *
 * The benchmark catalog has no break-glass resource, so the scenario first pushes one to the fake
 * GitHub's base branch (prod-db-readonly gains `breakglass`) and has grantbot re-read its policy.
 */
import { parse, stringify } from "yaml";
import { benchPerson } from "../population.ts";
import { waitUntil } from "../inspect.ts";
import { sleep, summarize } from "../stats.ts";
import { credentialShownAt } from "./merge-activation.ts";
import type { BenchContext, Figure } from "./types.ts";

const FILED_RE = /Break-glass grant `([0-9A-Z]{26})`/;

export async function breakglassToEffective(ctx: BenchContext): Promise<Figure[]> {
  const { world } = ctx;
  const n = ctx.quick ? 10 : 40;
  await allowBreakglass(ctx);

  const effective: number[] = [];
  const announced: number[] = [];
  // Sample -1 is a warm-up, not measured: the break-glass path's first run in this process (as the
  // other scenarios warm theirs), which --only breakglass would otherwise measure cold.
  for (let i = -1; i < n; i++) {
    const person = benchPerson(ctx.nextPerson());
    const t0 = Date.now();
    const ack = await world.slash(`breakglass prod-db-readonly 30m bench: INC-${i} emergency`, person.slack);
    if (ack.status !== 200) throw new Error(`break-glass slash command answered ${ack.status}`);
    const id = await world.waitFor(() => {
      for (const r of world.slack.responses(ack.responseId)) {
        const text = String((r.payload as { text?: string }).text ?? "");
        const match = FILED_RE.exec(text)?.[1];
        if (match) return match;
        if (text.startsWith("⚠️")) throw new Error(`break-glass refused: ${text}`);
      }
      return null;
    }, 30_000, `the break-glass reply to ${person.email}`, 2);
    const shown = await world.waitFor(() => credentialShownAt(world, id), 30_000, `credential DM of ${id}`, 2);
    const rows = () => ctx.cluster.inspect.auditFor(id);
    const activated = (await rows()).find((r) => r.action === "grant.activated");
    if (!activated) throw new Error(`grant ${id} has a DM but no activation`);
    if (i < 0) {
      await sleep(300); // let its PR and alerts finish
      continue;
    }
    effective.push(Math.max(shown, activated.at) - t0);
    const announcedAt = await waitUntil(async () => (await rows()).find((r) => r.action === "breakglass.activated")?.at, 30_000, `announcement of ${id}`, 2);
    announced.push(announcedAt - t0);
    if (!world.scim.get("aws")!.members("prod-db-readonly").includes(person.email)) throw new Error(`break-glass grant ${id} is active without its SCIM membership`);
    await sleep(50);
  }

  const e = summarize(effective);
  const a = summarize(announced);
  return [
    {
      key: "breakglass_to_access_effective",
      title: "Break-glass request -> access effective",
      summary: e,
      notes: "slash command -> SCIM membership read back + credential DM, no review",
      bar: { text: "Break-glass request -> access effective p99 < 500 ms on loopback", met: e.p99 < 500, why: `p99 ${e.p99} ms` },
    },
    { key: "breakglass_to_announced", title: "  break-glass request -> review PR open, alerts queued", summary: a },
  ];
}

/** Pushes `breakglass` on prod-db-readonly to the base branch and makes grantbot read it now. */
async function allowBreakglass(ctx: BenchContext): Promise<void> {
  const { world } = ctx;
  const text = world.github.fileAt(world.github.branchSha("main") ?? "main", "grants/catalog.yaml");
  if (text === null) throw new Error("no grants/catalog.yaml on the fake GitHub");
  const doc = parse(text) as { resources: Record<string, Record<string, unknown>> };
  doc.resources["prod-db-readonly"]!.breakglass = { max: "1h", review_within: "24h" };
  world.github.seed({ "grants/catalog.yaml": stringify(doc) }, "Allow break-glass on prod-db-readonly");
  // grantbot reuses a policy read for 2 s (policy-provider.ts); after earlier scenarios it has
  // just read it, so a refresh right away would return the cached catalog without break-glass.
  await sleep(2_100);
  const refreshed = await world.request("task", 30_000, { name: "policy-refresh" });
  if (refreshed.ok !== true) throw new Error("grantbot could not re-read its policy");
}
