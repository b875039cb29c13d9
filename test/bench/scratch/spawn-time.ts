import { World } from "../../crash/world.ts";
const world = await World.start({});
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  await world.spawn();
  console.log("ready in", (performance.now() - t).toFixed(0), "ms");
  const k = performance.now();
  await world.kill9();
  console.log("killed in", (performance.now() - k).toFixed(0), "ms");
}
await world.close();
