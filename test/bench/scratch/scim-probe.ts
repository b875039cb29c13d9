import { ScimTestServer } from "../../fakes/scim-server/index.ts";
const s = await ScimTestServer.start({ token: "t0123456789" });
const ids: string[] = [];
for (let i = 0; i < Number(process.env.U ?? 1100); i++) ids.push(s.createUser({ userName: `u${i}@example.com` }).id);
const g = s.createGroup("big", ids.slice(0, Number(process.env.G ?? 1000)));
const h = { authorization: "Bearer t0123456789", "content-type": "application/scim+json" };
async function time(label: string, fn: () => Promise<Response>, n = 5) {
  const t = performance.now();
  for (let i = 0; i < n; i++) { const r = await fn(); await r.text(); if (!r.ok) console.log(label, r.status); }
  console.log(label.padEnd(40), ((performance.now() - t) / n).toFixed(1), "ms");
}
await time("GET group attributes=members", () => fetch(`${s.url}/Groups/${g.id}?attributes=members`, { headers: h }));
await time("GET group excludedAttributes=members", () => fetch(`${s.url}/Groups/${g.id}?excludedAttributes=members`, { headers: h }));
await time("GET /Users filter userName", () => fetch(`${s.url}/Users?filter=${encodeURIComponent('userName eq "u500@example.com"')}`, { headers: h }));
await time("GET /Groups filter members eq", () => fetch(`${s.url}/Groups?filter=${encodeURIComponent(`id eq "${g.id}" and members eq "${ids[5]}"`)}`, { headers: h }));
let k = 0;
await time("PATCH remove 1 member", () => fetch(`${s.url}/Groups/${g.id}`, { method: "PATCH", headers: h, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "remove", path: `members[value eq "${ids[k++]}"]` }] }) }));
await time("PATCH remove 50 members (50 ops)", () => fetch(`${s.url}/Groups/${g.id}`, { method: "PATCH", headers: h, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: Array.from({ length: 50 }, () => ({ op: "remove", path: `members[value eq "${ids[k++]}"]` })) }) }), 3);
await time("PATCH add 1 member", () => fetch(`${s.url}/Groups/${g.id}`, { method: "PATCH", headers: h, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: [{ value: ids[ids.length - 1 - k++] }] }] }) }));
await s.close();
