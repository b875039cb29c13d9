/**
 * Rewrites the configuration reference block of README.md from the schemas:
 *   npx tsx src/config/write-reference.ts
 */
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { renderConfigReference, replaceReferenceBlock } from "./reference.ts";

export const README_PATH = fileURLToPath(new URL("../../README.md", import.meta.url));

/** Rewrites the block in `readmePath`; returns true when the file changed. */
export function writeReference(readmePath: string = README_PATH): boolean {
  const before = fs.readFileSync(readmePath, "utf8");
  const after = replaceReferenceBlock(before, renderConfigReference());
  if (after === before) return false;
  fs.writeFileSync(readmePath, after);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  const changed = writeReference();
  process.stdout.write(changed ? `updated the configuration reference in ${README_PATH}\n` : "README.md configuration reference is up to date\n");
}
