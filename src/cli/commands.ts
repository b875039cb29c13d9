/**
 * Every `grantbot` command with its usage, one-line summary and flags. The help text is rendered
 * from this table and `main` refuses any flag not in it before a command loads, so the help and
 * the flags a command accepts cannot drift apart (test/unit/cli-help.test.ts also checks that
 * every `--flag` a command module mentions is listed here).
 */
import type { Command } from "./io.ts";

export interface FlagSpec {
  /** `--write`; `-x` short forms go in `alias`. */
  flag: string;
  alias?: string;
  /** Placeholder of the flag's value (`<dir>`); absent for a switch. */
  value?: string;
  /** "equals": the value must be attached (`--duration=5`); "either": `--dir x` or `--dir=x`. */
  valueForm?: "equals" | "either";
  /** What a valid value looks like, when the command cannot take any string. */
  valuePattern?: { re: RegExp; hint: string };
  help: string;
}

export interface CommandSpec {
  name: string;
  /** Arguments after the name, e.g. `[dir]`, `<grant-id>`, `<verify|export>`. */
  args: string;
  summary: string;
  flags: readonly FlagSpec[];
  /** Exit code of a usage error (unknown flag), as the command itself uses. */
  usageExit: number;
  /** The command prints a fuller help of its own for `--help`; `help <command>` shows it too. */
  ownHelp?: boolean;
  load(): Promise<Command>;
}

/** `--timeout <duration>` of the commands that wait on remote systems (revoke, reconcile). */
const TIMEOUT_FLAG = (help: string): FlagSpec => ({
  flag: "--timeout", value: "<duration>", valueForm: "either",
  valuePattern: { re: /^(?:\d+[smhd])+$|^PT?[0-9HMSD.]+$/i, hint: "a duration such as 30s, 2m or PT1M" }, help,
});

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "serve", args: "", summary: "run the HTTP server, job runner and scheduler (configured by the environment)",
    flags: [], usageExit: 1, load: async () => (await import("./serve.ts")).serveCommand,
  },
  {
    name: "demo", args: "", summary: "the whole lifecycle locally against stand-ins for Slack, GitHub and SCIM; exits 0",
    flags: [{ flag: "--duration", value: "<seconds>", valueForm: "equals", valuePattern: { re: /^\d+$/, hint: "a whole number of seconds" }, help: "length of the demo grant (default 5)" }],
    usageExit: 1, load: async () => (await import("./demo.ts")).demoCommand,
  },
  {
    name: "validate", args: "[dir]", summary: "check a grants directory (default grants) and .github/CODEOWNERS next to it; prints file:line: message, exit 1 on problems",
    flags: [], ownHelp: true, usageExit: 2, load: async () => (await import("./validate.ts")).validateCommand,
  },
  {
    name: "codeowners", args: "", summary: "print the CODEOWNERS block generated from the catalog's approvers",
    flags: [
      { flag: "--dir", value: "<dir>", valueForm: "either", help: "the grants directory (default grants)" },
      { flag: "--write", help: "write the block into .github/CODEOWNERS next to the grants directory" },
    ],
    ownHelp: true, usageExit: 2, load: async () => (await import("./codeowners.ts")).codeownersCommand,
  },
  {
    name: "diff", args: "<base> [<head>]", summary: "what a change to grants/catalog.yaml and grants/people.yaml does to who can access what (git refs; no <head> = working tree), as Markdown for a PR comment; exit 0 whatever the diff",
    flags: [
      { flag: "--json", help: "print the diff as JSON instead of Markdown" },
      { flag: "--dir", value: "<path>", valueForm: "either", help: "the git repository (default: the current directory)" },
    ],
    ownHelp: true, usageExit: 2, load: async () => (await import("./diff.ts")).runDiff,
  },
  {
    name: "grants", args: "", summary: "list grants from the local database (GRANTBOT_DATA_DIR)",
    flags: [{ flag: "--active", help: "only active grants" }, { flag: "--json", help: "one JSON object per grant per line" }],
    usageExit: 1, load: async () => (await import("./grants.ts")).grantsCommand,
  },
  {
    name: "revoke", args: "<grant-id>", summary: "end a live grant now and wait until its SCIM removal is verified; exit 2 when it was not within --timeout",
    flags: [TIMEOUT_FLAG("how long to wait for the SCIM removal to be verified (default 2m); grantbot serve finishes it later")], usageExit: 1, load: async () => (await import("./revoke.ts")).revokeCommand,
  },
  {
    name: "reconcile", args: "", summary: "compare managed SCIM groups with live grants; exit 0 no drift, 2 drift, 1 error",
    flags: [
      { flag: "--fix", help: "repair drift in every managed group (not only enforce: true)" },
      { flag: "--json", help: `print {"resources":[{"resource","target","group","missing","unexpected"}]}` },
      TIMEOUT_FLAG("how long to wait for repairs to be verified (default 2m); grantbot serve finishes the rest"),
    ],
    usageExit: 1, load: async () => (await import("./reconcile.ts")).reconcileCommand,
  },
  {
    name: "audit", args: "<verify|export>", summary: "verify: check the audit log's hash chain; export: write it as JSON Lines",
    flags: [], ownHelp: true, usageExit: 1, load: async () => (await import("./audit.ts")).auditCommand,
  },
  {
    name: "migrate", args: "", summary: "apply pending database migrations without starting grantbot: PostgreSQL when GRANTBOT_DATABASE_URL is set, else the SQLite database in GRANTBOT_DATA_DIR; prints what it applied",
    flags: [], usageExit: 1, load: async () => (await import("./migrate.ts")).migrateCommand,
  },
  {
    name: "store", args: "copy", summary: "copy a stopped SQLite deployment (data directory) into an empty PostgreSQL database, audit chain and signing keys included (GRANTBOT_KEY_ENCRYPTION_KEY encrypts the keys); prints the rows copied per table",
    flags: [
      { flag: "--from", value: "<dir>", valueForm: "either", help: "the SQLite data directory (GRANTBOT_DATA_DIR of the deployment; its serve must be stopped)" },
      { flag: "--to", value: "<url>", valueForm: "either", help: "the PostgreSQL database to fill (postgres://…; must hold no grantbot data)" },
    ],
    usageExit: 1, load: async () => (await import("./store.ts")).storeCommand,
  },
  {
    name: "reviews", args: "", summary: "access reviews of standing members: who is due and overdue, open review PRs, completed reviews (kept, removed, approvers)",
    flags: [
      { flag: "--json", help: `print {"due","overdue","open","completed"} as JSON` },
      { flag: "--dir", value: "<dir>", valueForm: "either", help: "read the catalog from a local grants directory instead of the grants repository" },
    ],
    usageExit: 1, load: async () => (await import("./reviews.ts")).reviewsCommand,
  },
  {
    name: "evidence", args: "", summary: "evidence report for auditors over a period (default the last 90 days): one self-contained HTML file with pictures, or --json; changes nothing",
    flags: [
      { flag: "--from", value: "<date>", valueForm: "either", valuePattern: { re: /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/, hint: "a date such as 2026-01-01 or an RFC 3339 date-time" }, help: "start of the period (a date = 00:00:00 UTC; default: 90 days before --to)" },
      { flag: "--to", value: "<date>", valueForm: "either", valuePattern: { re: /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/, hint: "a date such as 2026-03-31 or an RFC 3339 date-time" }, help: "end of the period (a date = through 23:59:59 UTC; default: now)" },
      { flag: "--out", value: "<file>", valueForm: "either", help: "where to write (default grantbot-evidence-<from>-to-<to>.html, JSON to stdout; --out=- is stdout)" },
      { flag: "--json", help: "the same facts as JSON instead of HTML" },
    ],
    usageExit: 1, load: async () => (await import("./evidence.ts")).evidenceCommand,
  },
];

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { flag: "--help", alias: "-h", help: "this help; `grantbot <command> --help` or `grantbot help <command>` for one command" },
  { flag: "--version", alias: "-v", help: "print grantbot's version" },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

function flagUsage(f: FlagSpec): string {
  if (!f.value) return f.flag;
  return f.valueForm === "equals" ? `${f.flag}=${f.value}` : `${f.flag} ${f.value}`;
}

/** `validate [dir]`, `codeowners [--dir <dir>] [--write]`. */
export function commandUsage(c: CommandSpec): string {
  return [c.name, c.args, ...c.flags.map((f) => `[${flagUsage(f)}]`)].filter(Boolean).join(" ");
}

function flagLines(flags: readonly FlagSpec[], indent: string): string[] {
  return flags.map((f) => `${indent}${[f.alias, flagUsage(f)].filter(Boolean).join(", ").padEnd(22)} ${f.help}`);
}

/** `grantbot help`: every command and every flag. */
export function renderHelp(version: string): string {
  const lines = [`grantbot ${version}: just-in-time access through Slack, GitHub pull requests and SCIM`, "", "usage: grantbot <command> [options]", "", "commands:"];
  for (const c of COMMANDS) {
    lines.push(`  ${commandUsage(c)}`, `      ${c.summary}`, ...flagLines(c.flags, "      "));
  }
  lines.push("", "options:", ...flagLines(GLOBAL_FLAGS, "  "), "");
  lines.push("Configuration comes from the environment (see the README's configuration reference).", "");
  return lines.join("\n");
}

/** `grantbot <command> --help`. */
export function renderCommandHelp(c: CommandSpec): string {
  const flags = c.flags.length ? ["", "options:", ...flagLines(c.flags, "  ")] : [];
  return [`usage: grantbot ${commandUsage(c)}`, "", c.summary, ...flags, ""].join("\n");
}

export type FlagCheck = { ok: true } | { ok: false; message: string } | { ok: "help" };

/**
 * Refuses a flag the command does not declare (or a declared one missing its value). Arguments
 * that do not start with `-` are the command's business. `--help`/`-h` anywhere asks for help.
 */
export function checkFlags(c: CommandSpec, args: readonly string[]): FlagCheck {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h") return { ok: "help" };
    if (!arg.startsWith("-") || arg === "-") continue;
    if (arg === "--") break;
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const spec = c.flags.find((f) => f.flag === name || f.alias === name);
    const known = c.flags.length ? `; ${c.name} takes ${c.flags.map(flagUsage).join(", ")}` : `; ${c.name} takes no options`;
    if (!spec) return { ok: false, message: `unknown option ${name}${known}` };
    if (!spec.value && inline !== undefined) return { ok: false, message: `${name} takes no value` };
    if (spec.value && inline === undefined) {
      const next = args[i + 1];
      if (spec.valueForm === "equals" || next === undefined || next.startsWith("-")) return { ok: false, message: `${name} needs a value: ${flagUsage(spec)}` };
      i += 1;
    }
    if (spec.value && inline === "") return { ok: false, message: `${name} needs a value: ${flagUsage(spec)}` };
    const value = inline ?? args[i];
    if (spec.valuePattern && value !== undefined && !spec.valuePattern.re.test(value)) {
      return { ok: false, message: `${name}: expected ${spec.valuePattern.hint} (got ${JSON.stringify(value)})` };
    }
  }
  return { ok: true };
}
