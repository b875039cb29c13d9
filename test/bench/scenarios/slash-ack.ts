/**
 * Slash-command ack latency: the time from sending a signed `/access <resource> <duration>
 * <reason>` to receiving grantbot's HTTP answer (Slack's limit is 3 s; the bar is p99 < 100 ms
 * under 50 concurrent requests). Every request is a real one: it files a grant and queues a PR,
 * so the work after the ack competes with later requests.
 */
import { benchPerson } from "../population.ts";
import { sleep, summarize } from "../stats.ts";
import type { BenchContext, Figure } from "./types.ts";

const TEXT = "prod-db-readonly 1h bench: slash ack";

export async function slashAck(ctx: BenchContext): Promise<Figure[]> {
  const { world } = ctx;
  const bursts = ctx.quick ? 2 : 6;
  const concurrent: number[] = [];
  const failures: number[] = [];
  const users = Array.from({ length: 50 }, () => benchPerson(ctx.nextPerson()).slack);
  // warm-up: users.info caches and JIT, not measured
  await Promise.all(users.slice(0, 10).map((u) => world.slash(TEXT, u)));
  await sleep(500);
  for (let b = 0; b < bursts; b++) {
    const results = await Promise.all(users.map((u) => world.slash(TEXT, u)));
    for (const r of results) (r.status === 200 ? concurrent : failures).push(r.ms);
    await sleep(ctx.quick ? 500 : 1000); // let the filed requests' PRs open before the next burst
  }
  const sequential: number[] = [];
  const n = ctx.quick ? 20 : 100;
  for (let i = 0; i < n; i++) {
    const r = await world.slash(TEXT, users[i % users.length]!);
    if (r.status === 200) sequential.push(r.ms);
    else failures.push(r.ms);
  }
  const c = summarize(concurrent);
  return [
    {
      key: "slash_ack_50_concurrent",
      title: "Slash-command ack, 50 concurrent",
      summary: c,
      notes: `${bursts} bursts of 50${failures.length ? `; ${failures.length} non-200` : ""}`,
      bar: { text: "Slash-command ack p99 < 100 ms on loopback under 50 concurrent requests", met: c.p99 < 100 && failures.length === 0, why: `p99 ${c.p99} ms` },
    },
    { key: "slash_ack_sequential", title: "Slash-command ack, 1 at a time", summary: summarize(sequential) },
  ];
}
