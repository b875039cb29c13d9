/**
 * The data-directory lock (adapters/sqlite/data-dir-lock.ts): one holder at a time, in this
 * process or another, and nothing stale after the holder is killed with SIGKILL.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { acquireDataDirLock, DataDirLockedError } from "../../src/adapters/sqlite/data-dir-lock.ts";

const MODULE = fileURLToPath(new URL("../../src/adapters/sqlite/data-dir-lock.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "grantbot-lock-"));
  dirs.push(dir);
  return dir;
}

describe("the data-directory lock", () => {
  it("refuses a second holder in the same process, naming the first, until it is released", () => {
    const dir = dataDir();
    const lock = acquireDataDirLock(dir, { pid: 4242, now: () => Date.parse("2026-11-22T10:00:00Z") });
    let refused: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toBe(`another grantbot (pid 4242, started at 2026-11-22T10:00:00.000Z) is using the data directory ${dir}; run one instance per data directory (GRANTBOT_DATA_DIR), and stop the other one first`);
    lock.release();
    lock.release(); // idempotent
    acquireDataDirLock(dir).release();
  });

  it("is free again as soon as a holder in another process is killed with SIGKILL", async () => {
    const dir = dataDir();
    const script = join(dir, "hold.ts");
    writeFileSync(script, `import { acquireDataDirLock } from ${JSON.stringify(MODULE)};\nacquireDataDirLock(process.argv[2]!);\nprocess.stdout.write("held\\n");\nsetInterval(() => {}, 1_000);\n`);
    const holder = spawn(process.execPath, ["--import", "tsx", script, dir], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("held") && resolve());
      holder.once("exit", (code) => reject(new Error(`holder exited ${code}`)));
    });
    expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`^another grantbot \\(pid ${holder.pid}, `));

    const gone = new Promise((resolve) => holder.once("exit", resolve));
    holder.kill("SIGKILL");
    await gone;
    acquireDataDirLock(dir).release();
  }, 30_000);
});
