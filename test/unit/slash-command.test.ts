import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { USAGE, USAGE_LINES, parseSlashCommand } from "../../src/domain/slash-command.ts";

const ID = "01JD2S3K7Q8R9T0V1W2X3Y4Z5A";

describe("parseSlashCommand", () => {
  it.each([
    ["", { kind: "modal" }],
    ["   \n ", { kind: "modal" }],
    ["help", { kind: "help" }],
    ["HELP", { kind: "help" }],
    ["help me please", { kind: "help" }],
    ["list", { kind: "list" }],
    [" List ", { kind: "list" }],
    [`release ${ID}`, { kind: "release", grantId: ID }],
    [`release ${ID.toLowerCase()}`, { kind: "release", grantId: ID }],
    [`extend ${ID} 2h`, { kind: "extend", grantId: ID, duration: "2h", durationMs: 7_200_000 }],
    [`Extend ${ID.toLowerCase()} PT30M`, { kind: "extend", grantId: ID, duration: "PT30M", durationMs: 1_800_000 }],
  ])("parses %j", (text, expected) => {
    expect(parseSlashCommand(text)).toEqual(expected);
  });

  it.each([
    ["prod-db-readonly 2h INC-1234 replica lag", "prod-db-readonly", "2h", 7_200_000, "INC-1234 replica lag"],
    ["Prod-DB-Readonly 45s x", "prod-db-readonly", "45s", 45_000, "x"],
    ["prod-db-readonly PT4H why", "prod-db-readonly", "PT4H", 14_400_000, "why"],
    ["prod-db-readonly 2h", "prod-db-readonly", "2h", 7_200_000, ""],
    ["  prod-db-readonly   2h    padded reason   ", "prod-db-readonly", "2h", 7_200_000, "padded reason"],
    ["prod-db-readonly 2h line one\nline  two", "prod-db-readonly", "2h", 7_200_000, "line one\nline  two"],
    ["prod-db-readonly 2h 🔥 incident — café", "prod-db-readonly", "2h", 7_200_000, "🔥 incident — café"],
    ["prod-db-readonly 2h a &lt;b&gt; &amp; c &amp;lt;", "prod-db-readonly", "2h", 7_200_000, "a <b> & c &lt;"],
    ["prod-db-readonly\t2h\treason", "prod-db-readonly", "2h", 7_200_000, "reason"],
  ])("parses the request %j", (text, resource, duration, durationMs, reason) => {
    expect(parseSlashCommand(text)).toEqual({ kind: "request", resource, duration, durationMs, reason });
  });

  it("accepts a reason of exactly 1000 characters", () => {
    expect(parseSlashCommand(`db 1h ${"r".repeat(1000)}`)).toMatchObject({ kind: "request", reason: "r".repeat(1000) });
  });

  it.each([
    ["a path traversal as resource", "../etc 2h x", '"../etc" is not a resource id', USAGE],
    ["a slash in the resource", "prod/db 2h x", "is not a resource id", USAGE],
    ["an underscore in the resource", "prod_db 2h x", "is not a resource id", USAGE],
    ["a missing duration", "prod-db-readonly", "say how long you need prod-db-readonly for", USAGE],
    ["words where the duration goes", "prod-db-readonly for two hours", 'the second word must be a duration: "for" is not a duration', USAGE],
    ["a bare number as duration", "prod-db-readonly 4 hours", '"4" is not a duration', USAGE],
    ["a zero duration", "prod-db-readonly 0s x", "must be longer than zero", USAGE],
    ["a reason over 1000 characters", `db 1h ${"r".repeat(1001)}`, "the reason is 1001 characters long; the limit is 1000", USAGE],
    ["text over 3000 characters", `db 1h ${"r".repeat(2995)}`, "the limit is 3000", USAGE],
    ["list with arguments", "list all", "`/access list` takes no arguments", USAGE_LINES.list],
    ["release without an id", "release", "takes exactly one grant id", USAGE_LINES.release],
    ["release with two ids", `release ${ID} ${ID}`, "takes exactly one grant id", USAGE_LINES.release],
    ["release with a bad id", "release 42", '"42" is not a grant id', USAGE_LINES.release],
    ["release with a non-Crockford id", `release ${ID.slice(0, 25)}U`, "is not a grant id", USAGE_LINES.release],
    ["extend without a duration", `extend ${ID}`, "takes a grant id and a duration", USAGE_LINES.extend],
    ["extend with a bad id", "extend nope 2h", '"nope" is not a grant id', USAGE_LINES.extend],
    ["extend with a bad duration", `extend ${ID} later`, '"later" is not a duration', USAGE_LINES.extend],
  ])("reports %s", (_name, text, message, usage) => {
    const result = parseSlashCommand(text);
    expect(result).toMatchObject({ kind: "error", usage });
    if (result.kind === "error") expect(result.message).toContain(message);
  });

  it("lists every form of the command in the usage text", () => {
    for (const form of [
      "/access <resource> <duration> <reason…>",
      "/access list",
      "/access release <grant-id>",
      "/access extend <grant-id> <duration>",
      "/access help",
    ]) {
      expect(USAGE).toContain(form);
    }
  });

  it("never throws and always returns a known kind", () => {
    const kinds = new Set(["modal", "help", "list", "release", "extend", "request", "error"]);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme", maxLength: 4000 })), (text) => {
        expect(kinds.has(parseSlashCommand(text).kind)).toBe(true);
      }),
    );
  });

  it("only yields resource ids safe to use in a path", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.constantFrom("1h", "PT2H"), fc.string(), (resource, duration, reason) => {
        const result = parseSlashCommand(`${resource} ${duration} ${reason}`);
        if (result.kind === "request") expect(result.resource).toMatch(/^[a-z0-9-]+$/);
      }),
    );
  });
});
