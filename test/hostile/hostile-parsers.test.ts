/**
 * Hostile input at the parsers every outside input goes through (fast-check): slash-command text,
 * durations, modal values, grant files and the catalog (YAML), webhook bodies, directory pushes,
 * SCIM filter values. Each must answer — a result or a clear error — and never throw anything
 * else, whatever it is given. Explicit cases: YAML alias bombs, `../` in resource ids, quotes and
 * backslashes in SCIM filter values.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { sign } from "@octokit/webhooks-methods";
import { parse as parseYaml } from "yaml";
import { parseSlashCommand, MAX_COMMAND_TEXT } from "../../src/domain/slash-command.ts";
import { parseDuration, MAX_DURATION_MS } from "../../src/domain/durations.ts";
import { parseGrantFileText, renderGrantFile, MAX_GRANT_FILE_BYTES } from "../../src/domain/grant-file-text.ts";
import { grantFilePath } from "../../src/domain/grant.ts";
import { parsePolicy } from "../../src/services/policy/policy-provider.ts";
import { isAppError } from "../../src/domain/errors.ts";
import { readRequestModal, readRequestModalMetadata } from "../../src/adapters/slack/views/request-modal.ts";
import { parseGithubWebhook } from "../../src/adapters/github/webhook.ts";
import { directoryEventSchema } from "../../src/adapters/http/directory-hook.ts";
import { eq, quote } from "../../src/adapters/scim/scim-filter.ts";
import { validateGrantsTree } from "../../src/domain/grants-validation.ts";

const RUNS = { numRuns: 300 };
/** Text with everything a user can paste: emoji, RTL marks, combining characters, NULs, newlines. */
const nasty = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("../../etc/passwd", "..\\..\\x", "%2e%2e/", "\u202e\u0000\n\r\t", "🔥🚀 INC-1 💥", "a\u0301\u0308", "${jndi:ldap://x}", "{{7*7}}", "'; DROP TABLE grants;--", "&lt;@U123&gt; &amp;"),
);
const anyJson = fc.jsonValue({ maxDepth: 4 });

describe("slash-command text", () => {
  it("always parses to a command or a clear error, never throws", () => {
    fc.assert(
      fc.property(fc.oneof(nasty, fc.tuple(fc.constantFrom("prod-db-readonly", "list", "release", "extend", "help", "../x"), nasty, nasty).map((p) => p.join(" "))), (text) => {
        const parsed = parseSlashCommand(text, { resources: ["prod-db-readonly", "snowflake-analyst"] });
        expect(["modal", "help", "list", "release", "extend", "request", "error"]).toContain(parsed.kind);
        if (parsed.kind === "error") expect(parsed.message.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it("refuses an over-long command with a message naming the limit", () => {
    const parsed = parseSlashCommand(`prod-db-readonly 1h ${"x".repeat(MAX_COMMAND_TEXT)}`);
    expect(parsed).toMatchObject({ kind: "error" });
    expect((parsed as { message: string }).message).toMatch(String(MAX_COMMAND_TEXT));
  });

  it("never reads a path (`../`) as a resource: it is an unknown resource or subcommand", () => {
    for (const text of ["../../etc/passwd 1h x", "..%2fcatalog 1h x", "prod-db-readonly/../../x 1h x", "grants/catalog.yaml 1h x"]) {
      const parsed = parseSlashCommand(text, { resources: ["prod-db-readonly"] });
      expect(parsed.kind).toBe("error");
    }
  });
});

describe("durations", () => {
  it("parse to a bounded positive number of milliseconds or an error", () => {
    fc.assert(
      fc.property(fc.oneof(nasty, fc.stringMatching(/^P?T?[0-9]{0,20}(\.[0-9]{0,5})?[smhdwSMHDW]{0,3}$/)), (text) => {
        const r = parseDuration(text);
        if (r.ok) expect(r.ms > 0 && r.ms <= MAX_DURATION_MS && Number.isSafeInteger(r.ms)).toBe(true);
        else expect(r.error.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});

describe("modal submissions", () => {
  it("read whatever Slack (or an attacker) puts in view.state.values as three strings", () => {
    fc.assert(
      fc.property(anyJson, fc.option(fc.string(), { nil: undefined }), (values, metadata) => {
        const read = readRequestModal(values);
        for (const v of [read.resource, read.duration, read.reason]) expect(typeof v).toBe("string");
        const meta = readRequestModalMetadata(metadata);
        if (meta.extends !== undefined) expect(meta.extends).toMatch(/^[0-9A-Z]{26}$/);
      }),
      RUNS,
    );
    // Values of the wrong type in the right place.
    const wrongTypes = readRequestModal({ resource: { resource_select: { selected_option: { value: 42 } } }, duration: { duration_input: { value: ["1h"] } }, reason: { reason_input: { value: { x: 1 } } } });
    for (const v of Object.values(wrongTypes)) expect(typeof v).toBe("string");
  });
});

describe("grant files and the catalog (YAML written by hand)", () => {
  it("a grant file parses or is refused with a message, whatever its text", () => {
    fc.assert(
      fc.property(fc.oneof(nasty, anyJson.map((j) => JSON.stringify(j)), fc.dictionary(fc.constantFrom("id", "resource", "subject", "requester", "duration", "reason", "requested_at", "extends", "x"), fc.oneof(nasty, anyJson)).map((o) => renderYaml(o))), (text) => {
        const parsed = parseGrantFileText(text);
        if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(0);
        else expect(parsed.file.id).toMatch(/^[0-9A-Z]{26}$/);
      }),
      RUNS,
    );
  });

  it("round-trips any reason a user types (emoji, RTL, quotes, newlines) through the committed file", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 300 }).filter((s) => s.trim().length > 0), (reason) => {
        const text = renderGrantFile({ id: "01JD2S3K7Q8R9T0V1W2X3Y4Z5A", resource: "prod-db-readonly", subject: "a@example.com", requester: "a@example.com", duration: "1h", reason: reason.trim(), requested_at: "2026-11-22T10:00:00Z" });
        const parsed = parseGrantFileText(text);
        if (parsed.ok) expect(parsed.file.reason).toBe(reason.trim());
        else expect(parsed.message.length).toBeGreaterThan(0); // e.g. control characters refused, with a reason
      }),
      RUNS,
    );
  });

  it("refuses a grant file over the size limit", () => {
    const parsed = parseGrantFileText(`id: 01JD2S3K7Q8R9T0V1W2X3Y4Z5A\nreason: ${"x".repeat(MAX_GRANT_FILE_BYTES)}\n`);
    expect(parsed.ok).toBe(false);
  });

  it("refuses YAML alias bombs quickly, in grant files, the catalog and the grants tree", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    const started = performance.now();
    expect(parseGrantFileText(bomb).ok).toBe(false);
    expect(() => parsePolicy(`resources:\n  x: &r {}\n${bomb.replace(/^/gm, "#")}\n${bomb}`, null)).toThrow(/alias|YAML|invalid/i);
    expect(() => parsePolicy(bomb, null)).toThrow();
    const problems = validateGrantsTree({ files: [{ path: "grants/catalog.yaml", text: bomb }, { path: "grants/people.yaml", text: "people: []\n" }, { path: "grants/prod-db/01JD2S3K7Q8R9T0V1W2X3Y4Z5A.yaml", text: bomb }] });
    expect(problems.length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(5_000); // a real bomb would take minutes and gigabytes
  });

  it("a catalog parses or fails with a bad_input error, whatever its text", () => {
    fc.assert(
      fc.property(fc.oneof(nasty, anyJson.map((j) => renderYaml({ resources: j }))), (text) => {
        try {
          parsePolicy(text, null);
        } catch (err) {
          expect(isAppError(err) && err.code === "bad_input").toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("keeps resource ids to [a-z0-9-]: a `../` id never becomes a path outside grants/<resource>/", () => {
    expect(() => parsePolicy("resources:\n  ../evil:\n    description: x\n", null)).toThrow();
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9-]{1,40}$/), (id) => {
        expect(grantFilePath(id, "01JD2S3K7Q8R9T0V1W2X3Y4Z5A")).toBe(`grants/${id}/01JD2S3K7Q8R9T0V1W2X3Y4Z5A.yaml`);
      }),
    );
  });
});

describe("GitHub webhook bodies", () => {
  const SECRET = "hostile-webhook-secret-0123456789";
  it("a correctly signed delivery of any JSON is acknowledged, ignored or refused with 400 — never thrown", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyJson, fc.record({ action: fc.constantFrom("closed", "submitted"), repository: fc.record({ full_name: fc.constantFrom("acme/grants", "other/repo") }), pull_request: anyJson, review: anyJson })), fc.constantFrom("pull_request", "pull_request_review", "push"), async (payload, event) => {
        const body = JSON.stringify(payload);
        const result = await parseGithubWebhook({ headers: { "x-hub-signature-256": await sign(SECRET, body), "x-github-event": event, "x-github-delivery": "d-1" }, rawBody: body, secret: SECRET, repository: "acme/grants" });
        expect([202, 400]).toContain(result.status);
        if (result.status === 400) expect(result.error.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it("ignores a delivery for another repository even when everything else matches one of ours", async () => {
    const payload = { action: "closed", repository: { full_name: "mallory/grants" }, pull_request: { number: 1, state: "closed", merged: true, merged_at: "2026-11-22T10:00:00Z", merge_commit_sha: "a".repeat(40), head: { sha: "b".repeat(40), ref: "grant/01JD2S3K7Q8R9T0V1W2X3Y4Z5A" } } };
    const body = JSON.stringify(payload);
    const result = await parseGithubWebhook({ headers: { "x-hub-signature-256": await sign(SECRET, body), "x-github-event": "pull_request", "x-github-delivery": "d-2" }, rawBody: body, secret: SECRET, repository: "acme/grants" });
    expect(result).toMatchObject({ status: 202, event: { kind: "ignored", why: "repository mallory/grants" } });
  });

  it("refuses any body whose signature is not the secret's, with 401", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.oneof(fc.string(), fc.constant(undefined)), async (body, signature) => {
        const result = await parseGithubWebhook({ headers: { ...(signature === undefined ? {} : { "x-hub-signature-256": signature }), "x-github-event": "pull_request", "x-github-delivery": "d" }, rawBody: body, secret: SECRET, repository: "acme/grants" });
        expect(result.status).toBe(401);
      }),
      { numRuns: 100 },
    );
  });
});

describe("directory pushes", () => {
  it("validate to an event or a list of issues, for any JSON", () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, fc.record({ type: fc.constantFrom("leaver", "mover", "x"), email: fc.oneof(fc.emailAddress(), nasty), at: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), nasty), attributes: anyJson })), (json) => {
        const parsed = directoryEventSchema.safeParse(json);
        if (!parsed.success) expect(parsed.error.issues.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});

describe("SCIM filter values", () => {
  it("quotes and escapes any value: the filter has exactly one comparison and decodes back to the value", () => {
    fc.assert(
      fc.property(fc.oneof(nasty, fc.constantFrom('a" or userName pr or "', 'x\\" or "1" eq "1', '\\', '"', 'o\'brien@example.com', '"quoted"@example.com')), (value) => {
        const filter = eq("userName", value);
        const literal = filter.slice("userName eq ".length);
        expect(JSON.parse(literal)).toBe(value);
        expect(literal).toBe(quote(value));
        // Nothing after the closing quote: the value cannot add `or ...` to the filter.
        expect(/^"(?:[^"\\]|\\.)*"$/.test(literal)).toBe(true);
      }),
      RUNS,
    );
  });
});

function renderYaml(value: unknown): string {
  try {
    return JSON.stringify(value, null, 1).replace(/^\{|\}$/g, "");
  } catch {
    return String(value);
  }
}

// Sanity: the alias-bomb helper above really is a bomb for an unguarded parser.
it("the alias bomb used above expands to 10^9 nodes without a guard (so refusing it matters)", () => {
  expect(() => parseYaml("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]", { maxAliasCount: 2 })).toThrow(/alias/i);
});
