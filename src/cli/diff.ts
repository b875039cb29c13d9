/**
 * `grantbot diff <base> [<head>] [--json] [--dir <path>]`: what a change to grants/catalog.yaml
 * and grants/people.yaml does to who can access what, with risk flags on changes that widen
 * access. Markdown for a PR comment (first line `<!-- grantbot-diff -->`), or `--json`.
 *
 * <base> and <head> are git refs of the repository at --dir (default: the current directory);
 * without <head> the working tree is compared. A ref where a file does not exist is an empty
 * policy. When both arguments are existing directories, `<dir>/grants/catalog.yaml` (or
 * `<dir>/catalog.yaml`) and the people.yaml beside it are compared instead.
 *
 * Exit status: 0 whatever the diff, 1 on an error (unknown ref, invalid file), 2 on a usage error.
 */
import { execFile } from "node:child_process";
import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { CliIO, Command } from "./io.ts";
import { diffPolicies, RISK_RULES } from "../domain/policy-diff.ts";
import { renderDiffJson, renderDiffMarkdown } from "../domain/policy-diff-render.ts";
import { CATALOG_FILE, PEOPLE_FILE, parsePolicyTexts, type PolicyTexts } from "../domain/policy-diff-source.ts";
import type { PolicySide } from "../domain/policy-diff-types.ts";

const MAX_FILE_BYTES = 1024 * 1024;

const USAGE = `usage: grantbot diff <base> [<head>] [--json] [--dir <path>]

Shows, per resource and per person, what changes to grants/catalog.yaml and grants/people.yaml
do to access, and flags the changes that widen it. <base> and <head> are git refs of the
repository at --dir (default: the current directory); without <head>, the working tree. Two
existing directories are compared instead when both arguments are directories.
Output: Markdown for a pull-request comment, or --json. Exit status: 0 whatever the diff,
1 on an error (unknown ref, invalid file), 2 on a usage error.

risk flags:
${Object.entries(RISK_RULES).map(([code, rule]) => `  ${code.padEnd(26)}${rule}`).join("\n")}
`;

/** A problem worth one message to the user (unknown ref, unreadable or invalid file). */
class DiffError extends Error {
  override readonly name = "DiffError";
}

interface Side {
  label: string;
  policy: PolicySide;
}

export const runDiff: Command = async (args, io) => {
  let json = false;
  let dirArg = ".";
  const positional: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h") {
      io.stdout(USAGE);
      return 0;
    } else if (arg === "--json") json = true;
    else if (arg === "--dir" && args[i + 1] !== undefined) dirArg = args[++i]!;
    else if (arg.startsWith("--dir=")) dirArg = arg.slice("--dir=".length);
    else if (arg.startsWith("-")) return usage(io, `unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length < 1 || positional.length > 2) return usage(io, positional.length === 0 ? "name the base ref" : `unexpected argument ${positional[2]}`);
  const repo = resolve(io.cwd, dirArg);
  const [baseArg, headArg] = positional as [string, string | undefined];
  try {
    let base: Side;
    let head: Side;
    const dirs = headArg !== undefined && [baseArg, headArg].every((a) => isDirectory(resolve(io.cwd, a)));
    if (dirs) {
      base = readDirectorySide(resolve(io.cwd, baseArg), io);
      head = readDirectorySide(resolve(io.cwd, headArg!), io);
    } else {
      base = await readRefSide(repo, baseArg);
      head = headArg === undefined ? readWorkingTree(repo, io) : await readRefSide(repo, headArg);
    }
    const diff = diffPolicies(base.policy, head.policy);
    io.stdout(json ? renderDiffJson(diff) : renderDiffMarkdown(diff, { base: base.label, head: head.label }));
    return 0;
  } catch (error) {
    if (!(error instanceof DiffError)) throw error;
    io.stderr(`grantbot diff: ${error.message}\n`);
    return 1;
  }
};

function usage(io: CliIO, problem: string): number {
  io.stderr(`grantbot diff: ${problem}\n\n${USAGE}`);
  return 2;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Parses both files of one side; `where` names the side in messages ("at ref main (3f2a1bc)"). */
function parseSide(texts: PolicyTexts, where: string | null, fileName: (file: string) => string): PolicySide {
  const parsed = parsePolicyTexts(texts);
  if (parsed.ok) return parsed.policy;
  const lines = parsed.problems.map((p) => `  ${fileName(parsed.file)}:${p.line}: ${p.message}`);
  throw new DiffError(`${fileName(parsed.file)}${where ? ` ${where}` : ""} is invalid:\n${lines.join("\n")}`);
}

function git(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile("git", args, { cwd, encoding: "utf8", maxBuffer: 2 * MAX_FILE_BYTES, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        done({ ok: false, stdout: "", stderr: "git is not installed (or not on PATH)" });
      } else done({ ok: !error, stdout, stderr: stderr.trim() === "" && error?.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER" ? "file too large" : stderr });
    });
  });
}

/** The policy at a git ref; a file missing at that ref is empty. Paths are relative to `repo`. */
async function readRefSide(repo: string, ref: string): Promise<Side> {
  const rev = await git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  if (!rev.ok) {
    if (/not a git repository/i.test(rev.stderr)) throw new DiffError(`${repo} is not inside a git repository (pass --dir <repository>, or two directories)`);
    if (rev.stderr.trim() !== "") throw new DiffError(`cannot resolve ref ${ref}: ${rev.stderr.trim().split("\n")[0]}`);
    throw new DiffError(`unknown ref ${ref} in ${repo} (a branch, tag or commit; fetch it first in a shallow clone)`);
  }
  const sha = rev.stdout.trim();
  const label = `${ref} (${sha.slice(0, 7)})`;
  const listed = await git(repo, ["ls-tree", "--name-only", sha, "--", CATALOG_FILE, PEOPLE_FILE]);
  if (!listed.ok) throw new DiffError(`cannot list grants/ at ref ${label}: ${listed.stderr.trim()}`);
  const present = new Set(listed.stdout.split("\n").map((line) => line.trim()));
  const show = async (file: string): Promise<string | null> => {
    if (!present.has(file)) return null;
    const shown = await git(repo, ["show", `${sha}:./${file}`]);
    if (!shown.ok) throw new DiffError(`cannot read ${file} at ref ${label}: ${shown.stderr.trim()}`);
    return shown.stdout;
  };
  const texts = { catalog: await show(CATALOG_FILE), people: await show(PEOPLE_FILE) };
  return { label, policy: parseSide(texts, `at ref ${label}`, (file) => file) };
}

/** The files in the working tree of `repo`; a missing file is empty, as at a ref. */
function readWorkingTree(repo: string, io: CliIO): Side {
  const onDisk = (file: string) => join(repo, file);
  const texts = { catalog: readText(onDisk(CATALOG_FILE)), people: readText(onDisk(PEOPLE_FILE)) };
  return { label: "working tree", policy: parseSide(texts, "in the working tree", (file) => shown(onDisk(file), io)) };
}

/** `<dir>/grants/catalog.yaml` or `<dir>/catalog.yaml`, with the people.yaml beside it. */
function readDirectorySide(dir: string, io: CliIO): Side {
  const grantsDir = existsSync(join(dir, "grants", "catalog.yaml")) ? join(dir, "grants") : dir;
  const catalog = readText(join(grantsDir, "catalog.yaml"));
  if (catalog === null) throw new DiffError(`${shown(dir, io)} holds neither grants/catalog.yaml nor catalog.yaml`);
  const texts = { catalog, people: readText(join(grantsDir, "people.yaml")) };
  const onDisk = (file: string) => join(grantsDir, file.slice("grants/".length));
  return { label: shown(dir, io), policy: parseSide(texts, null, (file) => shown(onDisk(file), io)) };
}

/** A small regular file's UTF-8 text, or null when it does not exist. Symlinks are refused, as by validate. */
function readText(path: string): string | null {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return null;
  }
  if (stat.isSymbolicLink()) throw new DiffError(`${path}: symbolic links are not allowed (replace it with the file)`);
  if (!stat.isFile()) throw new DiffError(`${path} is not a file`);
  if (stat.size > MAX_FILE_BYTES) throw new DiffError(`${path} is ${stat.size} bytes; the limit is ${MAX_FILE_BYTES}`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(path));
  } catch (error) {
    throw new DiffError(`cannot read ${path}: ${error instanceof TypeError ? "not valid UTF-8 text" : ((error as NodeJS.ErrnoException).code ?? String(error))}`);
  }
}

function shown(path: string, io: CliIO): string {
  const rel = relative(io.cwd, path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}
