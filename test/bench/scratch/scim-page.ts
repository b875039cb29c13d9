import { ScimTestServer } from "../../fakes/scim-server/index.ts";
const s = await ScimTestServer.start({ token: "t0123456789", pageSize: 200 });
const n = Number(process.env.U ?? 10000);
for (let i = 0; i < n; i++) s.store.users.set(`u${i}`, { id: `u${i}`, userName: `u${i}@example.com`, active: true });
const h = { authorization: "Bearer t0123456789" };
for (const start of [1, 5001]) {
  const t = performance.now();
  const r = await fetch(`${s.url}/Users?startIndex=${start}&count=200&attributes=id,userName`, { headers: h });
  const j = await r.json() as { Resources: unknown[] };
  console.log(`page at ${start}:`, j.Resources.length, (performance.now() - t).toFixed(0), "ms");
}
await s.close();
