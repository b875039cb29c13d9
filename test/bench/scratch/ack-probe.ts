import { World } from "../../crash/world.ts";
import { peopleText, benchPerson, catalogText } from "../population.ts";
import { summarize, sleep } from "../stats.ts";
const world = await World.start({ peopleText: peopleText(100), catalogText: catalogText(), ...(process.env.PROF ? { nodeArgs: ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] } : {}) });
await world.spawn();
const users = Array.from({ length: 50 }, (_, i) => benchPerson(i + 1).slack);
const texts = (process.env.TEXTS ?? "help,help,list,list,prod-db-readonly 1h probe,prod-db-readonly 1h probe").split(",");
for (const text of texts) {
  const rs = await Promise.all(users.map((u) => world.slash(text, u)));
  console.log(text.padEnd(28), JSON.stringify(summarize(rs.map((r) => r.ms))), rs.filter((r) => r.status !== 200).length);
  await sleep(2500);
}
await world.close();
