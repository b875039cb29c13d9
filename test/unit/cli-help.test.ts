import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { main, type CliIO } from "../../src/cli.ts";
import { checkFlags, COMMANDS, findCommand } from "../../src/cli/commands.ts";
import { grantIdProblem } from "../../src/cli/revoke.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

function captureIO(): CliIO & { out: string; err: string } {
  const io = { out: "", err: "", cwd: ROOT, env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

/** Every `--flag` the command modules (and the demo's argument parser) mention; commands.ts is the help's own source. */
function flagsMentionedInSources(): string[] {
  const files = [join(ROOT, "src/cli.ts"), join(ROOT, "src/demo/run-demo.ts"), ...readdirSync(join(ROOT, "src/cli")).filter((f) => f !== "commands.ts").map((f) => join(ROOT, "src/cli", f))];
  const flags = new Set<string>();
  for (const file of files) {
    // How commands read their arguments: arg === "--x", includes("--x"), startsWith("--x="), /^--x=/.
    const reads = /(?:===\s*|includes\(\s*|startsWith\(\s*)["'`](--[a-z][a-z-]*)|\/\^(--[a-z][a-z-]*)/g;
    for (const m of readFileSync(file, "utf8").matchAll(reads)) flags.add((m[1] ?? m[2])!);
  }
  return [...flags].sort();
}

describe("grantbot --version", () => {
  it.each([["--version"], ["-v"], ["version"]])("%s prints the package version", async (flag) => {
    expect(await run(flag)).toEqual({ code: 0, out: `${VERSION}\n`, err: "" });
  });
});

describe("grantbot help", () => {
  it("lists every command and every flag the command modules know", async () => {
    const help = await run("help");
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.out).toMatch(new RegExp(`^  ${c.name}\\b`, "m"));
    const mentioned = flagsMentionedInSources();
    expect(mentioned).toEqual(expect.arrayContaining(["--write", "--json", "--dir", "--fix", "--active", "--duration", "--help", "--version"]));
    for (const flag of mentioned) expect(help.out, `${flag} is used by a command but missing from the help`).toContain(flag);
    expect(await run("--help")).toEqual(help);
    expect(await run("-h")).toEqual(help);
  });

  it("registers every command module in src/cli/", async () => {
    const modules = readdirSync(join(ROOT, "src/cli")).filter((f) => /export const \w+: Command\b|export async function \w+Command\(/.test(readFileSync(join(ROOT, "src/cli", f), "utf8")));
    const loaded = await Promise.all(COMMANDS.map((c) => c.load()));
    for (const file of modules) {
      const exported = Object.values(await import(pathToFileURL(join(ROOT, "src/cli", file)).href) as Record<string, unknown>).filter((v) => typeof v === "function");
      expect(loaded.some((command) => exported.includes(command)), `src/cli/${file} is not in src/cli/commands.ts`).toBe(true);
    }
  });

  it.each(COMMANDS.map((c) => [c.name]))("explains %s alone with help <command> and <command> --help", async (name) => {
    const help = await run("help", name);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(new RegExp(`^usage: grantbot ${name}\\b`));
    for (const f of findCommand(name)!.flags) expect(help.out).toContain(f.flag);
    expect(await run(name, "--help")).toEqual(help);
  });

  it("prints the help on stderr with exit 1 when no command is given", async () => {
    const none = await run();
    expect(none.code).toBe(1);
    expect(none.err).toContain("usage: grantbot <command>");
  });
});

describe("unknown commands and flags", () => {
  it("names an unknown command and lists the commands", async () => {
    const r = await run("frobnicate");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown command "frobnicate"\ncommands: serve, demo, validate/);
    expect((await run("help", "frobnicate")).err).toMatch(/unknown command "frobnicate"/);
    expect((await run("--frob")).err).toMatch(/unknown option --frob/);
  });

  it.each(COMMANDS.map((c) => [c.name, c.usageExit]))("%s refuses an unknown flag before loading anything (exit %i)", async (name, exit) => {
    // No environment at all: a command that started would complain about configuration instead.
    const r = await run(name, "--no-such-flag");
    expect(r).toMatchObject({ code: exit, out: "" });
    expect(r.err).toMatch(new RegExp(`^grantbot ${name}: unknown option --no-such-flag; ${name} takes`));
    expect(r.err).toContain(`usage: grantbot ${name}`);
  });

  it.each([
    [["--write"], "codeowners", { ok: true }],
    [["--dir", "grants", "--write"], "codeowners", { ok: true }],
    [["--dir=grants"], "codeowners", { ok: true }],
    [["--dir"], "codeowners", { ok: false, message: "--dir needs a value: --dir <dir>" }],
    [["--dir="], "codeowners", { ok: false, message: "--dir needs a value: --dir <dir>" }],
    [["--write=yes"], "codeowners", { ok: false, message: "--write takes no value" }],
    [["--duration=3"], "demo", { ok: true }],
    [["--duration", "3"], "demo", { ok: false, message: "--duration needs a value: --duration=<seconds>" }],
    [["--duration=soon"], "demo", { ok: false, message: '--duration: expected a whole number of seconds (got "soon")' }],
    [["--fix", "--json"], "reconcile", { ok: true }],
    [["--port", "3000"], "serve", { ok: false, message: "unknown option --port; serve takes no options" }],
    [["grants", "-h"], "validate", { ok: "help" }],
  ] as const)("checkFlags(%j) for %s", (args, name, expected) => {
    expect(checkFlags(findCommand(name)!, args)).toEqual(expected);
  });
});

describe("grantbot revoke <bad id>", () => {
  it.each([
    ["../etc", '"../etc" is not a grant id: grant ids are ULIDs of 26 characters, this has 6'],
    ["01JD2S3K7Q8R9T0V1W2X3Y4Z5I", '"01JD2S3K7Q8R9T0V1W2X3Y4Z5I" is not a grant id: grant ids are ULIDs (digits and letters except I, L, O, U), and it contains "I"'],
  ])("says why %j is not a grant id, exit 1", async (arg, why) => {
    expect(grantIdProblem(arg)).toBe(why);
    const r = await run("revoke", arg);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`grantbot revoke: ${why}\nusage: grantbot revoke <grant-id>   (ids are listed by \`grantbot grants --active\`)\n`);
  });

  it("accepts a lower-case ULID and asks for exactly one id", async () => {
    expect(grantIdProblem("01jd2s3k7q8r9t0v1w2x3y4z5a")).toBeNull();
    expect((await run("revoke")).err).toMatch(/^grantbot revoke: missing the grant id\n/);
    expect((await run("revoke", "01JD2S3K7Q8R9T0V1W2X3Y4Z5A", "01JD2S3K7Q8R9T0V1W2X3Y4Z5B")).err).toMatch(/expected one grant id, got 2 arguments/);
  });
});
