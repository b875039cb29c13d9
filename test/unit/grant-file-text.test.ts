import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { reasonProblem, type GrantFile } from "../../src/domain/grant-files.ts";
import { parseGrantFileText, renderGrantFile } from "../../src/domain/grant-file-text.ts";

const file: GrantFile = {
  id: "01JD2S3K7Q8R9T0V1W2X3Y4Z5A",
  resource: "prod-db-readonly",
  subject: "alice@example.com",
  requester: "alice@example.com",
  duration: "2h",
  reason: "INC-1234 investigate replica lag",
  requested_at: "2026-11-22T10:00:00Z",
};

describe("renderGrantFile", () => {
  it("writes the keys in PRODUCT.md order, unquoted where YAML allows, with a trailing newline", () => {
    expect(renderGrantFile(file)).toBe(
      [
        "id: 01JD2S3K7Q8R9T0V1W2X3Y4Z5A",
        "resource: prod-db-readonly",
        "subject: alice@example.com",
        "requester: alice@example.com",
        "duration: 2h",
        "reason: INC-1234 investigate replica lag",
        "requested_at: 2026-11-22T10:00:00Z",
        "",
      ].join("\n"),
    );
  });

  it("appends extends and owner last, whatever order the object has", () => {
    const text = renderGrantFile({ owner: "bob@example.com", extends: "01JD2S3K7Q8R9T0V1W2X3Y4Z5B", ...file });
    expect(text.split("\n").map((line) => line.split(":")[0])).toEqual([
      "id", "resource", "subject", "requester", "duration", "reason", "requested_at", "extends", "owner", "",
    ]);
  });

  it("is deterministic", () => {
    const reordered = Object.fromEntries(Object.entries(file).reverse()) as GrantFile;
    expect(renderGrantFile(reordered)).toBe(renderGrantFile(file));
  });

  it.each([
    ["a colon", "fix: replica", 'reason: "fix: replica"'],
    ["a leading hash", "#incident", 'reason: "#incident"'],
    ["a YAML keyword", "null", 'reason: "null"'],
    ["nothing", "", 'reason: ""'],
  ])("quotes a reason with %s", (_name, reason, line) => {
    expect(renderGrantFile({ ...file, reason })).toContain(`${line}\n`);
  });

  it("never folds a long reason", () => {
    const reason = "word ".repeat(150).trim();
    expect(renderGrantFile({ ...file, reason })).toContain(`reason: ${reason}\n`);
  });
});

describe("parseGrantFileText", () => {
  it.each([
    ["double quotes", 'he said "now"'],
    ["single quotes", "it's 'urgent'"],
    ["colons", "INC-1: db: down"],
    ["a hash", "see #ops # not a comment"],
    ["newlines", "line one\nline two\n\nline four"],
    ["a trailing newline", "ends with newline\n"],
    ["emoji", "🔥 prod is down 🚒"],
    ["leading and trailing spaces", "  padded  "],
    ["tabs", "a\tb\t\tc"],
    ["a YAML document marker", "---\n..."],
    ["an anchor-like text", "&a *a !!str"],
  ])("round-trips a reason with %s", (_name, reason) => {
    expect(parseGrantFileText(renderGrantFile({ ...file, reason }))).toEqual({ ok: true, file: { ...file, reason } });
  });

  it("round-trips any reason the schema accepts, and names the character of any it refuses", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 1000 }), (reason) => {
        const problem = reasonProblem(reason);
        const parsed = parseGrantFileText(renderGrantFile({ ...file, reason }));
        if (problem === null) expect(parsed).toEqual({ ok: true, file: { ...file, reason } });
        else expect(parsed).toEqual({ ok: false, message: `the grant file is invalid: reason: ${problem}` });
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips the optional keys", () => {
    const full = { ...file, extends: "01JD2S3K7Q8R9T0V1W2X3Y4Z5B", owner: "bob@example.com" };
    expect(parseGrantFileText(renderGrantFile(full))).toEqual({ ok: true, file: full });
  });

  it("keeps an all-digit id a string", () => {
    const numeric = { ...file, id: "01234567890123456789012345" };
    expect(parseGrantFileText(renderGrantFile(numeric))).toEqual({ ok: true, file: numeric });
  });

  const valid = renderGrantFile(file);
  it.each([
    ["invalid YAML", "id: [unclosed", "not valid YAML"],
    ["a duplicated key", `${valid}id: 01JD2S3K7Q8R9T0V1W2X3Y4Z5B\n`, "not valid YAML"],
    ["two documents", `${valid}---\n${valid}`, "not valid YAML"],
    ["a list instead of a map", "- a\n- b\n", "the grant file is invalid"],
    ["an empty file", "", "the grant file is invalid"],
    ["an unknown key", `${valid}approved: true\n`, "approved"],
    ["an upper-case email", valid.replace("subject: alice@", "subject: Alice@"), "subject: emails are written in lower case"],
    ["a long-form duration", valid.replace("duration: 2h", "duration: PT2H"), "duration: grant files use the short form"],
    ["a bad id", valid.replace("id: 01JD2S3K7Q8R9T0V1W2X3Y4Z5A", "id: nope"), "id: grant ids are ULIDs"],
    ["a path-like resource", valid.replace("resource: prod-db-readonly", "resource: ../x"), "resource:"],
    ["an oversized text", `${valid}#${"x".repeat(20_000)}\n`, "the limit is 16384"],
  ])("rejects %s", (_name, text, message) => {
    const result = parseGrantFileText(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it("rejects an alias bomb quickly instead of expanding it", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
      "",
    ].join("\n");
    const started = performance.now();
    const result = parseGrantFileText(bomb);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining("alias") });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (text) => {
        expect(typeof parseGrantFileText(text).ok).toBe("boolean");
      }),
    );
  });
});
