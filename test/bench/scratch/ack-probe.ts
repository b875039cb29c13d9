import { World } from "../../crash/world.ts";
import { peopleText, benchPerson } from "../population.ts";
import { summarize, sleep } from "../stats.ts";
const world = await World.start({ peopleText: peopleText(100), ...(process.env.NOSYNC ? { nodeArgs: ["--import", "/tmp/nosync.mjs"] } : {}) });
await world.spawn();
const users = Array.from({ length: 50 }, (_, i) => benchPerson(i + 1).slack);
for (const text of ["help", "help", "list", "prod-db-readonly 1h probe", "prod-db-readonly 1h probe"]) {
  const rs = await Promise.all(users.map((u) => world.slash(text, u)));
  console.log(text.padEnd(28), JSON.stringify(summarize(rs.map((r) => r.ms))), rs.filter((r) => r.status !== 200).length);
  await sleep(1500);
}
await world.close();
