import { describe, expect, it } from "vitest";
import { mergePolled } from "../../src/services/leavers/directory-sync.ts";
import type { DirectoryPerson, DirectoryRecord } from "../../src/services/ports/index.ts";
import { toDirectoryPerson } from "../../src/adapters/scim/scim-people-source.ts";

const person = (over: Partial<DirectoryPerson> = {}): DirectoryPerson => ({ email: "a@x.com", directoryId: "u1", active: true, managerId: "m1", displayName: "A", groups: ["eng"], ...over });
const record = (over: Partial<DirectoryRecord> = {}): DirectoryRecord => ({
  email: "a@x.com", directoryId: "u1", active: true, managerId: "m1", managerEmail: "boss@x.com", displayName: "A", groups: ["eng"], attributes: {}, seenAt: 1, removedAt: null, ...over,
});

describe("comparing a polled person with the snapshot", () => {
  it.each([
    ["nothing changed", record(), person(), null],
    ["first sight, active", null, person(), "change"],
    ["deactivated", record(), person({ active: false }), "leaver"],
    ["first sight, inactive", null, person({ active: false }), "leaver"],
    ["still inactive", record({ active: false }), person({ active: false }), null],
    ["groups changed", record(), person({ groups: ["finance"] }), "mover"],
    ["groups reordered", record({ groups: ["eng", "ops"] }), person({ groups: ["ops", "eng"] }), null],
    ["came back after deletion", record({ removedAt: 5 }), person(), "change"],
    ["new manager", record(), person({ managerId: "m2" }), "change"],
  ] as const)("%s", (_name, prev, polled, kind) => {
    expect(mergePolled(prev, polled, 10).event?.kind ?? null).toBe(kind);
  });

  it("keeps the last known manager and groups when the directory stops sending them", () => {
    const { record: merged } = mergePolled(record(), person({ active: false, managerId: null, groups: null }), 10);
    expect(merged).toMatchObject({ managerId: "m1", managerEmail: "boss@x.com", groups: ["eng"], active: false, seenAt: 10, removedAt: null });
  });

  it("forgets the manager's email when the manager changed (resolved again after the poll)", () => {
    expect(mergePolled(record(), person({ managerId: "m2" }), 10).record).toMatchObject({ managerId: "m2", managerEmail: null });
  });
});

describe("reading a directory person from a SCIM user", () => {
  it("uses the userName when it is an email, else the primary email, and the groups' display names", () => {
    const raw = { groups: [{ value: "g1", display: "Engineering" }, { value: "g2" }] };
    expect(toDirectoryPerson({ id: "u1", userName: "A@X.com", active: true, displayName: null, email: null, managerId: null, raw })).toMatchObject({ email: "a@x.com", groups: ["Engineering"] });
    expect(toDirectoryPerson({ id: "u2", userName: "jdoe", active: false, displayName: "J", email: "j@x.com", managerId: "m", raw: {} })).toEqual({ email: "j@x.com", directoryId: "u2", active: false, managerId: "m", displayName: "J", groups: null });
    expect(toDirectoryPerson({ id: "u3", userName: "jdoe", active: true, displayName: null, email: null, managerId: null, raw: {} })).toBeNull();
  });
});
