/**
 * `grantbot validate [dir]`: checks a grants directory (default `grants`, relative to the current
 * directory) and its `../.github/CODEOWNERS`. Prints one `file:line: message` per problem (paths
 * relative to the current directory, so editors and CI annotations can jump to them), then a
 * summary. Exit 0 = valid, 1 = problems found, 2 = usage error or unreadable directory.
 */
import { existsSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { CliIO, Command } from "./io.ts";
import { GrantsDirError, readGrantsDir } from "../adapters/files/grants-dir.ts";
import { compareProblems, inspectGrantsTree, type Problem } from "../domain/grants-validation.ts";

const USAGE = `usage: grantbot validate [dir]

Checks grants/catalog.yaml, grants/people.yaml, every grants/<resource>/<grant-id>.yaml and
.github/CODEOWNERS (next to the grants directory). dir defaults to "grants".
Exit status: 0 valid, 1 problems found, 2 usage error or unreadable directory.
`;

export const validateCommand: Command = async (args, io) => {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(USAGE);
    return 0;
  }
  const flags = args.filter((a) => a.startsWith("-"));
  const positional = args.filter((a) => !a.startsWith("-"));
  if (flags.length > 0 || positional.length > 1) {
    io.stderr(`grantbot validate: unexpected argument ${flags[0] ?? positional[1]}\n\n${USAGE}`);
    return 2;
  }
  const dir = resolve(io.cwd, positional[0] ?? "grants");
  if (!existsSync(join(dir, "catalog.yaml")) && existsSync(join(dir, "grants", "catalog.yaml"))) {
    io.stderr(`grantbot validate: ${dir} is not a grants directory; did you mean ${join(positional[0] ?? ".", "grants")}?\n`);
    return 2;
  }
  let contents;
  try {
    contents = readGrantsDir(dir);
  } catch (error) {
    if (!(error instanceof GrantsDirError)) throw error;
    io.stderr(`grantbot validate: ${error.message}\n`);
    return 2;
  }
  const report = inspectGrantsTree({ files: contents.files, codeowners: contents.codeowners });
  const problems = [...contents.problems, ...report.problems].sort(compareProblems);
  for (const problem of problems) io.stdout(`${formatProblem(problem, dir, io)}\n`);
  if (problems.length > 0) {
    io.stdout(`${problems.length} ${problems.length === 1 ? "problem" : "problems"}\n`);
    return 1;
  }
  const resources = Object.keys(report.catalog?.resources ?? {}).length;
  const people = report.people?.people.length ?? 0;
  io.stdout(`grants OK: ${resources} resources, ${people} people, ${report.grants.length} grants\n`);
  return 0;
};

/** `grants/x.yaml` (a repository path) -> where that file is on disk, relative to the cwd. */
function formatProblem(problem: Problem, dir: string, io: CliIO): string {
  const onDisk = problem.file.startsWith("grants/")
    ? join(dir, problem.file.slice("grants/".length))
    : join(dir, "..", problem.file);
  const shown = relative(io.cwd, onDisk);
  const file = shown === "" || isAbsolute(shown) ? onDisk : shown;
  return `${file}:${problem.line}: ${problem.message}`;
}
