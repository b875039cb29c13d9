import { World } from "../../crash/world.ts";
import { peopleText, benchPerson, catalogText } from "../population.ts";
import { sleep } from "../stats.ts";
const world = await World.start({ peopleText: peopleText(400), catalogText: catalogText() });
await world.spawn();
const users = Array.from({ length: 50 }, (_, i) => benchPerson(i + 1).slack);
for (let round = 0; round < 3; round++) {
  const before = world.github.calls().length;
  const sb = world.slack.calls().length;
  await Promise.all(users.map((u) => world.slash("prod-db-readonly 1h probe", u)));
  await world.waitFor(() => world.stores().jobs.pending().length === 0 && world.allGrants().length >= 50 * (round + 1) && world.allGrants().every((g) => g.state !== "requested"), 60_000, "jobs", 50);
  const calls = world.github.calls().slice(before);
  const by = new Map<string, number>();
  for (const c of calls) by.set(`${c.route} ${c.status}`, (by.get(`${c.route} ${c.status}`) ?? 0) + 1);
  const sl = new Map<string, number>();
  for (const c of world.slack.calls().slice(sb)) sl.set(c.method, (sl.get(c.method) ?? 0) + 1);
  console.log(`burst ${round}: ${calls.length} GitHub calls`, Object.fromEntries(by), "slack", Object.fromEntries(sl));
}
await world.close();
