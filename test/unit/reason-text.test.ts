/**
 * The reason rule: a reason reaches PR bodies, grant files and Slack, where invisible control and
 * bidirectional formatting characters can make it read differently from what it is. Every entry
 * point refuses them with a message naming the character; letters of any script, emoji,
 * punctuation, newlines and tabs stay fine.
 */
import { describe, expect, it } from "vitest";
import { renderGrantFile, parseGrantFileText } from "../../src/domain/grant-file-text.ts";
import { reasonProblem } from "../../src/domain/grant-files.ts";
import { validateGrantsTree } from "../../src/domain/grants-validation.ts";
import { parseSlashCommand } from "../../src/domain/slash-command.ts";

const FILE = { id: "01JD2S3K7Q8R9T0V1W2X3Y4Z5A", resource: "prod-db-readonly", subject: "a@example.com", requester: "a@example.com", duration: "1h", requested_at: "2026-11-22T10:00:00Z" };

const ACCEPTED: [string, string][] = [
  ["plain ASCII with punctuation", `INC-1234: replica lag (p99 > 2s); see "runbook" & notes — ok? [x] {y} 100% #ops @oncall`],
  ["emoji", "🔥 INC-1 db on fire 🚒"],
  ["an emoji sequence joined by U+200D ZERO WIDTH JOINER", "for 👩‍💻 on call"],
  ["a flag emoji", "🇺🇦 team"],
  ["Hebrew letters", "INC-9 בדיקת שכפול"],
  ["Arabic letters", "INC-9 فحص النسخ المتماثل"],
  ["Persian with U+200C ZERO WIDTH NON-JOINER", "INC-9 می‌خواهم"],
  ["accented and CJK letters", "Ünïcödé 修复 レプリカ"],
  ["a newline", "INC-9\nsecond line"],
  ["a tab", "INC-9\tcolumn"],
];

const REFUSED: [string, string][] = [
  ["U+202A LEFT-TO-RIGHT EMBEDDING", "\u202A"],
  ["U+202B RIGHT-TO-LEFT EMBEDDING", "\u202B"],
  ["U+202C POP DIRECTIONAL FORMATTING", "\u202C"],
  ["U+202D LEFT-TO-RIGHT OVERRIDE", "\u202D"],
  ["U+202E RIGHT-TO-LEFT OVERRIDE", "\u202E"],
  ["U+2066 LEFT-TO-RIGHT ISOLATE", "\u2066"],
  ["U+2067 RIGHT-TO-LEFT ISOLATE", "\u2067"],
  ["U+2068 FIRST STRONG ISOLATE", "\u2068"],
  ["U+2069 POP DIRECTIONAL ISOLATE", "\u2069"],
  ["U+200E LEFT-TO-RIGHT MARK", "\u200E"],
  ["U+200F RIGHT-TO-LEFT MARK", "\u200F"],
  ["U+061C ARABIC LETTER MARK", "\u061C"],
  ["U+2028 LINE SEPARATOR", "\u2028"],
  ["U+2029 PARAGRAPH SEPARATOR", "\u2029"],
  ["U+0000 NULL", "\u0000"],
  ["U+0007 BELL", "\u0007"],
  ["U+000D CARRIAGE RETURN", "\r"],
  ["U+001B ESCAPE", "\u001B"],
  ["U+007F DELETE", "\u007F"],
  ["U+0085 NEXT LINE", "\u0085"],
  ["U+0001 CONTROL CHARACTER", "\u0001"],
  ["U+009B CONTROL CHARACTER", "\u009B"],
];

const message = (name: string) => `the reason contains an invisible control character (${name}); remove it and try again`;

describe("the reason rule", () => {
  it.each(ACCEPTED)("accepts %s", (_what, reason) => {
    expect(reasonProblem(reason)).toBeNull();
  });

  it.each(REFUSED)("refuses %s, naming it", (name, char) => {
    expect(reasonProblem(`INC-1 ${char}replica${char} lag`)).toBe(message(name));
  });

  it("names the first offending character", () => {
    expect(reasonProblem("a\u2066b\u202Ec")).toBe(message("U+2066 LEFT-TO-RIGHT ISOLATE"));
  });
});

describe("every entry point applies it", () => {
  it.each(ACCEPTED)("the slash command files a reason with %s", (_what, reason) => {
    expect(parseSlashCommand(`prod-db-readonly 1h ${reason}`)).toMatchObject({ kind: "request", reason });
  });

  it.each(REFUSED)("the slash command refuses %s with the message and the usage", (name, char) => {
    expect(parseSlashCommand(`prod-db-readonly 1h INC-1 ${char}x`)).toMatchObject({ kind: "error", message: message(name), usage: expect.stringMatching(/^Usage:/) });
  });

  it.each(ACCEPTED)("a grant file keeps a reason with %s", (_what, reason) => {
    expect(parseGrantFileText(renderGrantFile({ ...FILE, reason }))).toEqual({ ok: true, file: { ...FILE, reason } });
  });

  it.each(REFUSED)("a grant file with %s is invalid, for grantbot validate too", (name, char) => {
    const text = renderGrantFile({ ...FILE, reason: `INC-1 ${char}x` });
    expect(parseGrantFileText(text)).toEqual({ ok: false, message: `the grant file is invalid: reason: ${message(name)}` });
    const catalog = "resources:\n  prod-db-readonly:\n    description: d\n    scim: { target: aws, groups: [g] }\n    duration: { default: 1h, max: 4h }\n    approvers: { users: [carol-gh] }\n";
    const problems = validateGrantsTree({ files: [{ path: "grants/catalog.yaml", text: catalog }, { path: "grants/people.yaml", text: "people:\n  - { email: carol@example.com, github: carol-gh }\n" }, { path: `grants/prod-db-readonly/${FILE.id}.yaml`, text }] });
    expect(problems).toEqual([{ file: `grants/prod-db-readonly/${FILE.id}.yaml`, line: 6, message: `reason: ${message(name)}` }]);
  });
});
