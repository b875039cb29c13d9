/**
 * Reads a grants directory from disk for validation and the CLI. Paths come back relative to the
 * repository root (`grants/catalog.yaml`, `grants/<resource>/<id>.yaml`) whatever the directory
 * is called; CODEOWNERS is `<dir>/../.github/CODEOWNERS`.
 *
 * Refuses what a reviewer could not see in a PR diff or what could exhaust memory: symbolic links
 * (never followed), files over MAX_FILE_BYTES, and trees of more than MAX_FILES files.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CODEOWNERS_PATH, type Problem, type SourceFile } from "../../domain/grants-validation.ts";

export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_FILES = 10_000;

export interface GrantsDirLimits {
  maxFileBytes: number;
  maxFiles: number;
}
export interface GrantsDirContents {
  files: SourceFile[];
  /** `.github/CODEOWNERS` next to the grants directory, or null when absent (or refused). */
  codeowners: string | null;
  /** Files refused while reading (symlinks, too large, not UTF-8), as validation problems. */
  problems: Problem[];
}

/** The directory cannot be read at all, or holds too many files to read safely. */
export class GrantsDirError extends Error {
  override readonly name = "GrantsDirError";
}

const DEFAULT_LIMITS: GrantsDirLimits = { maxFileBytes: MAX_FILE_BYTES, maxFiles: MAX_FILES };

/**
 * Reads every regular file under `dir` (sorted, recursive) and the CODEOWNERS beside it.
 * Refused files become problems; throws GrantsDirError when `dir` is not a readable directory or
 * has more than `maxFiles` files.
 */
export function readGrantsDir(dir: string, limits: GrantsDirLimits = DEFAULT_LIMITS): GrantsDirContents {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (error) {
    throw new GrantsDirError(`cannot read grants directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!isDir) throw new GrantsDirError(`${dir} is not a directory`);
  const contents: GrantsDirContents = { files: [], codeowners: null, problems: [] };
  let count = 0;
  const walk = (abs: string, rel: string): void => {
    const entries = readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = `${rel}/${entry.name}`;
      const full = join(abs, entry.name);
      if (entry.isSymbolicLink()) {
        contents.problems.push({ file: path, line: 1, message: "symbolic links are not allowed in grants/ (replace it with the file)" });
      } else if (entry.isDirectory()) {
        walk(full, path);
      } else if (entry.isFile()) {
        count += 1;
        if (count > limits.maxFiles) {
          throw new GrantsDirError(`${dir} holds more than ${limits.maxFiles} files; refusing to read it`);
        }
        const read = readSmallText(full, path, limits.maxFileBytes);
        if (typeof read === "string") contents.files.push({ path, text: read });
        else if (read) contents.problems.push(read);
      }
    }
  };
  try {
    walk(dir, "grants");
  } catch (error) {
    if (error instanceof GrantsDirError) throw error;
    throw new GrantsDirError(`cannot read grants directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const codeowners = readCodeowners(dir, limits.maxFileBytes);
  if (typeof codeowners === "string" || codeowners === null) contents.codeowners = codeowners;
  else contents.problems.push(codeowners);
  return contents;
}

/** The files of readGrantsDir; throws GrantsDirError when any file was refused. */
export function readGrantsTree(dir: string, limits: GrantsDirLimits = DEFAULT_LIMITS): SourceFile[] {
  const contents = readGrantsDir(dir, limits);
  if (contents.problems.length > 0) {
    const list = contents.problems.map((p) => `${p.file}: ${p.message}`).join("; ");
    throw new GrantsDirError(`refused to read ${dir}: ${list}`);
  }
  return contents.files;
}

/** Absolute path of the CODEOWNERS file that belongs to the grants directory `dir`. */
export function codeownersPathFor(dir: string): string {
  return resolve(dir, "..", CODEOWNERS_PATH);
}

/** Reads `<dir>/catalog.yaml` (for `grantbot codeowners`); throws GrantsDirError when it cannot. */
export function readCatalogText(dir: string): string {
  const read = readSmallText(join(dir, "catalog.yaml"), "grants/catalog.yaml", MAX_FILE_BYTES);
  if (typeof read === "string") return read;
  throw new GrantsDirError(read ? `${read.file}: ${read.message}` : `cannot read ${join(dir, "catalog.yaml")}`);
}

/** Reads the CODEOWNERS beside `dir`: its text, null when absent, or a problem when refused. */
export function readCodeowners(dir: string, maxBytes = MAX_FILE_BYTES): string | null | Problem {
  const path = codeownersPathFor(dir);
  try {
    lstatSync(path);
  } catch {
    return null;
  }
  return readSmallText(path, CODEOWNERS_PATH, maxBytes) ?? null;
}

/** Writes the CODEOWNERS beside `dir`, creating `.github/` when needed. */
export function writeCodeowners(dir: string, text: string): void {
  const path = codeownersPathFor(dir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, "utf8");
}

/** Text of a regular file, a problem when refused, undefined when it is not worth reporting. */
function readSmallText(full: string, path: string, maxBytes: number): string | Problem | undefined {
  let stat;
  try {
    stat = lstatSync(full);
  } catch (error) {
    return { file: path, line: 1, message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  if (stat.isSymbolicLink()) return { file: path, line: 1, message: "symbolic links are not allowed (replace it with the file)" };
  if (!stat.isFile()) return undefined;
  if (stat.size > maxBytes) return { file: path, line: 1, message: `file is ${stat.size} bytes; the limit is ${maxBytes}` };
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch (error) {
    return { file: path, line: 1, message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return /\.(ya?ml|md)$|CODEOWNERS$/.test(path) ? { file: path, line: 1, message: "not valid UTF-8 text" } : undefined;
  }
}
