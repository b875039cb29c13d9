/**
 * `grantbot codeowners [--dir grants] [--write]`: prints the `.github/CODEOWNERS` block generated
 * from `<dir>/catalog.yaml`; with `--write`, splices it into `<dir>/../.github/CODEOWNERS`, keeping
 * every line outside the block. Exit 0 = done, 1 = the catalog is invalid, 2 = usage error or
 * unreadable files.
 */
import { relative, resolve } from "node:path";
import type { Command } from "./io.ts";
import { codeownersPathFor, GrantsDirError, readCatalogText, readCodeowners, writeCodeowners } from "../adapters/files/grants-dir.ts";
import { renderCodeowners, spliceCodeowners } from "../domain/codeowners.ts";
import { catalogSchema } from "../domain/grant-files.ts";
import { parseYamlWithSchema } from "../domain/yaml-source.ts";

const USAGE = `usage: grantbot codeowners [--dir grants] [--write]

Prints the CODEOWNERS block generated from <dir>/catalog.yaml (one line per resource naming its
approvers). --write puts it into .github/CODEOWNERS next to <dir>, keeping all other lines.
`;

export const codeownersCommand: Command = async (args, io) => {
  let dirArg = "grants";
  let write = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === "--help" || arg === "-h") {
      io.stdout(USAGE);
      return 0;
    } else if (arg === "--write") {
      write = true;
    } else if (arg === "--dir" && args[i + 1] !== undefined) {
      dirArg = args[i + 1] ?? dirArg;
      i += 1;
    } else if (arg.startsWith("--dir=")) {
      dirArg = arg.slice("--dir=".length);
    } else {
      io.stderr(`grantbot codeowners: unexpected argument ${arg}\n\n${USAGE}`);
      return 2;
    }
  }
  const dir = resolve(io.cwd, dirArg);
  const shown = (path: string) => relative(io.cwd, path) || path;
  let text: string;
  try {
    text = readCatalogText(dir);
  } catch (error) {
    if (!(error instanceof GrantsDirError)) throw error;
    io.stderr(`grantbot codeowners: ${error.message}\n`);
    return 2;
  }
  const catalog = parseYamlWithSchema(text, catalogSchema);
  if (!catalog.ok) {
    for (const p of catalog.problems) io.stderr(`${shown(resolve(dir, "catalog.yaml"))}:${p.line}: ${p.message}\n`);
    io.stderr("grantbot codeowners: fix the catalog first (see `grantbot validate`)\n");
    return 1;
  }
  const block = renderCodeowners(catalog.value);
  if (!write) {
    io.stdout(block);
    return 0;
  }
  const target = codeownersPathFor(dir);
  const existing = readCodeowners(dir);
  if (existing !== null && typeof existing !== "string") {
    io.stderr(`grantbot codeowners: ${shown(target)}: ${existing.message}\n`);
    return 2;
  }
  let next: string;
  try {
    next = spliceCodeowners(existing, block);
  } catch (error) {
    io.stderr(`grantbot codeowners: ${shown(target)}: ${(error as Error).message}\n`);
    return 2;
  }
  if (next === existing) {
    io.stdout(`${shown(target)} is up to date\n`);
    return 0;
  }
  writeCodeowners(dir, next);
  io.stdout(`wrote ${shown(target)}\n`);
  return 0;
};
