/**
 * The PatchOp forms of membership changes: their order per profile, that none of them can ever
 * mean "remove everyone", and the per-target memory of the form that works.
 */
import { describe, expect, it } from "vitest";
import { ADD_FORMS, addRequest, FormMemory, removeForms, removeRequests } from "../../src/adapters/scim/member-forms.ts";
import { SCIM_PROFILE_NAMES, scimProfile } from "../../src/adapters/scim/profiles.ts";

type Op = { op: string; path?: string; value?: unknown };
const opsOf = (body: Record<string, unknown>) => body.Operations as Op[];

describe("membership change forms", () => {
  it("tries the fast combined filter first and the members+value shape last on RFC profiles; AWS the other way round", () => {
    expect(removeForms(scimProfile("generic"))).toEqual(["or-filter", "value-filter", "value-filter-each", "members-value", "members-value-each"]);
    expect(removeForms(scimProfile("aws-identity-center"))).toEqual(["members-value", "members-value-each", "value-filter", "value-filter-each"]);
    expect(ADD_FORMS).toEqual(["members-path", "no-path"]);
  });

  it.each(SCIM_PROFILE_NAMES.flatMap((name) => removeForms(scimProfile(name)).map((form) => [name, form] as const)))(
    "%s, %s: every remove names concrete members, within the profile's per-PATCH limit",
    (name, form) => {
      const profile = scimProfile(name);
      const ids = ["u-1", "u-2", 'u-"3'];
      const requests = removeRequests(profile, form, ids);
      expect(requests.flatMap((r) => r.ids)).toEqual(ids);
      for (const { body } of requests) {
        const ops = opsOf(body);
        expect(ops.length).toBeLessThanOrEqual(profile.maxMembersPerPatch);
        for (const op of ops) {
          expect(op.op).toBe("remove");
          if (op.path === "members") expect(op.value).toEqual([{ value: expect.stringMatching(/^u-/) }]);
          else expect(op.path).toMatch(/^members\[value eq "u-.*"\]$/);
        }
      }
      if (form.endsWith("-each")) expect(requests).toHaveLength(3);
      expect(() => removeRequests(profile, form, ["u-1", " "])).toThrow(/empty member id/);
    },
  );

  it("builds the path-less add as RFC 7644 §3.5.2.1 describes it", () => {
    expect(opsOf(addRequest(scimProfile("generic"), "no-path", "u-1").body)).toEqual([{ op: "add", value: { members: [{ value: "u-1" }] } }]);
    expect(opsOf(addRequest(scimProfile("generic"), "members-path", "u-1").body)).toEqual([{ op: "add", path: "members", value: [{ value: "u-1" }] }]);
  });

  it("remembers the form that worked, starts there, and still tries the others, once each", () => {
    const switches: string[] = [];
    const memory = new FormMemory(["a", "b", "c"] as const, (from, to) => switches.push(`${from}->${to}`));
    expect(memory.order()).toEqual([0, 1, 2]);
    memory.worked(0);
    expect(switches).toEqual([]);
    memory.worked(2);
    expect(memory.current).toBe("c");
    expect(memory.order()).toEqual([2, 0, 1]);
    memory.worked(0);
    expect(switches).toEqual(["a->c", "c->a"]);
  });
});
