import { World } from "../../crash/world.ts";
import { peopleText, benchPerson } from "../population.ts";
import { summarize, sleep } from "../stats.ts";
const world = await World.start({ peopleText: peopleText(100) });
await world.spawn();
const u = benchPerson(1).slack;
for (const text of ["help", "help", "list"]) {
  const ms = [];
  for (let i = 0; i < 100; i++) ms.push((await world.slash(text, u)).ms);
  console.log(text.padEnd(10), JSON.stringify(summarize(ms)));
}
const hz = [];
for (let i = 0; i < 100; i++) { const t = performance.now(); await (await fetch(world.url + "/healthz")).text(); hz.push(performance.now() - t); }
console.log("healthz", JSON.stringify(summarize(hz)));
await world.close();
