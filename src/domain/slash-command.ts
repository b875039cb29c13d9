/**
 * Parses the text Slack sends after `/access`. Pure and total: every input yields a command or an
 * `error` with a sentence for the user and the usage lines that apply. Never throws.
 */
import { parseDuration } from "./durations.ts";
import { reasonProblem, RESOURCE_ID_RE, ULID_RE } from "./grant-files.ts";

export type SlashCommand =
  | { kind: "modal" }
  | { kind: "help" }
  | { kind: "list" }
  | { kind: "release"; grantId: string }
  | { kind: "extend"; grantId: string; duration: string; durationMs: number }
  | { kind: "request"; resource: string; duration: string; durationMs: number; reason: string }
  /** Emergency access, active at once and reviewed afterwards (only where the catalog allows it). */
  | { kind: "breakglass"; resource: string; duration: string; durationMs: number; reason: string }
  | { kind: "error"; message: string; usage: string };

/** One usage line per form of the command. */
export const USAGE_LINES = {
  modal: "/access — open the request form",
  request: "/access <resource> <duration> <reason…> — request access, e.g. /access prod-db-readonly 2h INC-1234 replica lag",
  list: "/access list — show your pending and active grants",
  release: "/access release <grant-id> — end one of your grants now",
  extend: "/access extend <grant-id> <duration> — ask for more time on one of your grants",
  breakglass: "/access breakglass <resource> <duration> <reason…> — emergency access now, reviewed afterwards (only where the catalog allows it)",
  help: "/access help — show this help",
} as const;

export const USAGE = [
  "Usage:",
  ...Object.values(USAGE_LINES),
  "Durations: 90s, 30m, 4h, 1d, 1h30m or ISO 8601 such as PT4H.",
].join("\n");

/** Slack's own limit is 4000; anything this long is not a real request. */
export const MAX_COMMAND_TEXT = 3000;
/** Same limit as the `reason` of a grant file (grant-files.ts). */
export const MAX_REASON = 1000;

export interface ParseOptions {
  /**
   * Resource ids of the catalog. When given, a first word that is neither a subcommand nor one of
   * these is reported as an unknown subcommand (with a "did you mean" for near misses) instead of
   * being read as a request for a resource that does not exist.
   */
  resources?: readonly string[];
}

export const SUBCOMMANDS = ["list", "release", "extend", "breakglass", "help"] as const;

/**
 * `text` is the raw `text` field of the slash command. Slack HTML-escapes `&`, `<` and `>` in it;
 * the reason is unescaped so grant files and PRs show what the user typed.
 */
export function parseSlashCommand(text: string, options: ParseOptions = {}): SlashCommand {
  if (text.length > MAX_COMMAND_TEXT) {
    return error(`that command is ${text.length} characters long; the limit is ${MAX_COMMAND_TEXT}`, USAGE);
  }
  const trimmed = text.trim();
  if (trimmed === "") return { kind: "modal" };
  const words = trimmed.split(/\s+/);
  const verb = (words[0] ?? "").toLowerCase();
  const args = words.slice(1);

  switch (verb) {
    case "help":
      return { kind: "help" };
    case "list":
      return args.length === 0 ? { kind: "list" } : error("`/access list` takes no arguments", USAGE_LINES.list);
    case "release":
      return parseRelease(args);
    case "extend":
      return parseExtend(args);
    case "breakglass":
      return parseBreakglass(trimmed.slice(words[0]!.length).trim());
    default:
      if (options.resources && !options.resources.includes(verb)) {
        const unknown = unknownWord(words[0] ?? "", options.resources, words.length === 1);
        if (unknown) return unknown;
      }
      return parseRequest(trimmed);
  }
}

/**
 * A first word that is neither a subcommand nor a resource: a near miss of a subcommand gets a
 * "did you mean"; a lone word is reported as unknown. A longer text is left to the request path,
 * whose policy check names the valid resources.
 */
function unknownWord(word: string, resources: readonly string[], alone: boolean): SlashCommand | null {
  const lower = word.toLowerCase();
  const shown = shorten(word);
  const near = (candidates: readonly string[]) => candidates.find((c) => editDistance(lower, c) <= Math.max(1, Math.min(2, Math.floor(c.length / 3))));
  const subcommand = near(SUBCOMMANDS);
  if (subcommand) return error(`\`${shown}\` is not a subcommand; did you mean \`/access ${subcommand}\`?`, USAGE);
  if (!alone) return null;
  const resource = near(resources);
  if (resource) return error(`\`${shown}\` is not a subcommand or a resource; did you mean \`${resource}\`?`, USAGE);
  const listed = [...resources].sort().slice(0, 8).join(", ");
  return error(`\`${shown}\` is not a subcommand or a resource${listed ? ` (resources: ${listed}${resources.length > 8 ? ", …" : ""})` : ""}`, USAGE);
}

/** Edit distance with adjacent transpositions ("lsit" -> "list" is 1), for "did you mean". */
export function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Math.max(a.length, b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

function parseRelease(args: readonly string[]): SlashCommand {
  const usage = USAGE_LINES.release;
  if (args.length !== 1) return error("`/access release` takes exactly one grant id", usage);
  const grantId = grantIdOf(args[0] ?? "");
  if (!grantId.ok) return error(grantId.message, usage);
  return { kind: "release", grantId: grantId.id };
}

function parseExtend(args: readonly string[]): SlashCommand {
  const usage = USAGE_LINES.extend;
  if (args.length !== 2) return error("`/access extend` takes a grant id and a duration", usage);
  const grantId = grantIdOf(args[0] ?? "");
  if (!grantId.ok) return error(grantId.message, usage);
  const duration = parseDuration(args[1] ?? "");
  if (!duration.ok) return error(duration.error, usage);
  return { kind: "extend", grantId: grantId.id, duration: args[1] ?? "", durationMs: duration.ms };
}

const REQUEST_RE = /^(\S+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/;

/** `/access breakglass <resource> <duration> <reason…>`: a request's words, a reason required. */
function parseBreakglass(rest: string): SlashCommand {
  const usage = USAGE_LINES.breakglass;
  if (rest === "") return error("say which resource you need in an emergency, e.g. `/access breakglass prod-db-readonly 30m INC-1234 outage`", usage);
  const parsed = parseRequest(rest, "/access breakglass ");
  if (parsed.kind === "error") return { ...parsed, usage };
  if (parsed.kind !== "request") return parsed;
  if (parsed.reason === "") return error(`break-glass needs a reason: write \`/access breakglass ${parsed.resource} ${parsed.duration} <incident or ticket, and what you will do>\``, usage);
  return { ...parsed, kind: "breakglass" };
}

function parseRequest(trimmed: string, form = "/access "): SlashCommand {
  const usage = USAGE;
  const match = REQUEST_RE.exec(trimmed);
  const resourceToken = match?.[1] ?? "";
  const resource = resourceToken.toLowerCase();
  if (!RESOURCE_ID_RE.test(resource)) {
    return error(
      `"${shorten(resourceToken)}" is not a resource id or a subcommand; resource ids use lower-case letters, digits and dashes (e.g. prod-db-readonly)`,
      usage,
    );
  }
  const durationToken = match?.[2];
  if (durationToken === undefined) {
    return error(`say how long you need ${resource} for, e.g. \`${form}${resource} 2h <reason>\``, usage);
  }
  const duration = parseDuration(durationToken);
  if (!duration.ok) {
    return error(
      `the ${form === "/access " ? "second" : "third"} word must be a duration: ${duration.error}. Write \`${form}${resource} <duration> <reason…>\``,
      usage,
    );
  }
  const reason = unescapeSlack(match?.[3] ?? "").trim();
  if (reason.length > MAX_REASON) {
    return error(`the reason is ${reason.length} characters long; the limit is ${MAX_REASON}`, usage);
  }
  // Newlines are allowed, as in the request form's multi-line reason (Shift+Enter in Slack).
  const problem = reasonProblem(reason);
  if (problem !== null) return error(problem, usage);
  return { kind: "request", resource, duration: durationToken, durationMs: duration.ms, reason };
}

function grantIdOf(token: string): { ok: true; id: string } | { ok: false; message: string } {
  const id = token.toUpperCase();
  if (ULID_RE.test(id)) return { ok: true, id };
  return {
    ok: false,
    message: `"${shorten(token)}" is not a grant id; grant ids are 26 characters such as 01JD2S3K7Q8R9T0V1W2X3Y4Z5A (see \`/access list\`)`,
  };
}

/** Undoes Slack's escaping of `&`, `<` and `>` (`&amp;` last, so `&amp;lt;` stays `&lt;`). */
function unescapeSlack(text: string): string {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

function shorten(token: string): string {
  return token.length > 40 ? `${token.slice(0, 40)}…` : token;
}

function error(message: string, usage: string): SlashCommand {
  return { kind: "error", message, usage };
}
