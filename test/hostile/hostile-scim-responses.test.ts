/**
 * Hostile SCIM responses: whatever a SCIM target answers — any status, any JSON, non-JSON, huge
 * member lists, wrong types, a list response that ignores our filter — the client resolves with
 * well-typed values or rejects with an AppError naming the target; it never throws a TypeError,
 * and never acts on a user the answer does not positively identify.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isAppError } from "../../src/domain/errors.ts";
import { ScimGroupDirectory } from "../../src/adapters/scim/scim-group-directory.ts";
import { ensureNotMembers } from "../../src/services/targets/membership.ts";

type Reply = { status: number; body: string; headers?: Record<string, string> };

function directoryAnswering(reply: () => Reply): ScimGroupDirectory {
  const fakeFetch = (async () => {
    const r = reply();
    return new Response(r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, headers: { "content-type": "application/scim+json", ...r.headers } });
  }) as typeof fetch;
  return new ScimGroupDirectory({ name: "hostile", baseUrl: "http://127.0.0.1:9/scim/v2", token: "t0123456789abcdef", profile: "generic", fetch: fakeFetch, timeoutMs: 1000 });
}

const scimish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    schemas: fc.constant(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]),
    totalResults: fc.oneof(fc.integer(), fc.string()),
    Resources: fc.oneof(fc.array(fc.record({ id: fc.oneof(fc.string(), fc.integer()), userName: fc.oneof(fc.string(), fc.constant(null)), displayName: fc.string(), members: fc.oneof(fc.array(fc.record({ value: fc.oneof(fc.string(), fc.integer()) })), fc.string()) }, { requiredKeys: [] }), { maxLength: 5 }), fc.string()),
  }, { requiredKeys: [] }),
  fc.record({ id: fc.oneof(fc.string(), fc.integer()), displayName: fc.string(), members: fc.array(fc.record({ value: fc.string(), type: fc.string() }, { requiredKeys: [] })) }, { requiredKeys: [] }),
);
const reply = fc.record({
  status: fc.oneof(fc.constantFrom(200, 201, 204, 400, 401, 404, 409, 429, 500, 503), fc.integer({ min: 200, max: 599 })),
  body: fc.oneof(scimish.map((j) => JSON.stringify(j)), fc.string(), fc.constant(""), fc.constant("<html>bad gateway</html>")),
  headers: fc.option(fc.record({ "retry-after": fc.oneof(fc.string(), fc.nat().map(String)) }), { nil: undefined }),
});

async function settle(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isAppError(err)) throw new Error(`not an AppError: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    expect(err.message).toMatch(/hostile|SCIM|refusing/);
  }
}

describe("hostile SCIM responses", () => {
  it("every AccessTarget call resolves or fails with an AppError, for any answer", async () => {
    await fc.assert(
      fc.asyncProperty(reply, async (r) => {
        const dir = directoryAnswering(() => r);
        await settle(dir.findUser("alice@example.com").then((u) => u && expect(u).toEqual({ id: expect.any(String), userName: "alice@example.com" })));
        await settle(dir.findGroup("g").then((g) => g && expect(typeof g.id).toBe("string")));
        await settle(dir.isMember("g-1", "u-1").then((m) => expect(typeof m).toBe("boolean")));
        await settle(dir.addMember("g-1", "u-1"));
        await settle(dir.removeMember("g-1", "u-1"));
        await settle(dir.removeMembers("g-1", ["u-1", "u-2"]));
        await settle(dir.memberIds("g-1"));
        await settle(dir.listMembers("g-1"));
      }),
      { numRuns: 150 },
    );
  });

  it("the batch removal reports, per user, an outcome or an error — never a silent success on garbage", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(reply, { minLength: 1, maxLength: 6 }), async (replies) => {
        let i = 0;
        const dir = directoryAnswering(() => replies[i++ % replies.length]!);
        try {
          const results = await ensureNotMembers(dir, "g", [{ email: "a@example.com" }, { email: "b@example.com", userId: "u-b" }]);
          expect(results).toHaveLength(2);
          for (const r of results) if (!(r instanceof Error)) expect(["removed", "already_absent", "no_user", "no_group"]).toContain(r);
        } catch (err) {
          expect(isAppError(err)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("does not act on a user when the server ignores the filter and lists everyone", async () => {
    const dir = directoryAnswering(() => ({ status: 200, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 2, Resources: [{ id: "u-mallory", userName: "mallory@example.com" }, { id: "u-eve", userName: "eve@example.com" }] }) }));
    expect(await dir.findUser("alice@example.com")).toBeNull();
  });

  it("refuses to build a removal without a concrete member id", async () => {
    const dir = directoryAnswering(() => ({ status: 204, body: "" }));
    for (const bad of ["", "   "]) {
      await expect(dir.removeMember("g-1", bad)).rejects.toMatchObject({ code: "internal" });
      await expect(dir.removeMembers("g-1", ["u-1", bad])).rejects.toMatchObject({ code: "internal" });
    }
  });
});
