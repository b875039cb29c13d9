import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/adapters/sqlite/open-store.ts";
import { auditCommand } from "../../src/cli/audit.ts";
import type { CliIO } from "../../src/cli.ts";

let cwd: string;

function fakeIO(env: Record<string, string> = {}): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    cwd,
    env,
    stdout(text: string) { io.out += text; },
    stderr(text: string) { io.err += text; },
  };
  return io;
}

async function seed(dataDir: string, rows: number): Promise<void> {
  const store = openStore(dataDir, { now: () => 0 });
  for (let i = 1; i <= rows; i++) await store.audit.append({ at: i, actor: "grantbot", action: "grant.activated", grantId: `g${i}` });
  await store.close();
}

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "grantbot-cli-"));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe("grantbot audit", () => {
  it("verify reports an intact log from ./data by default", async () => {
    await seed(join(cwd, "data"), 3);
    const io = fakeIO();
    expect(await auditCommand(["verify"], io)).toBe(0);
    expect(io.out).toBe("audit log OK: 3 rows\n");
  });

  it("verify lists each problem and exits 1 when a row was deleted", async () => {
    await seed(join(cwd, "custom"), 3);
    const store = openStore(join(cwd, "custom"), { now: () => 0 });
    store.db.exec("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;");
    await store.close();
    const io = fakeIO({ GRANTBOT_DATA_DIR: "custom" });
    expect(await auditCommand(["verify"], io)).toBe(1);
    expect(io.out).toMatch(/^seq 3: seq 3 is missing at the end of the log/);
    expect(io.err).toMatch(/1 problem\(s\) in 2 rows/);
  });

  it("export writes one JSON line per row to stdout", async () => {
    await seed(join(cwd, "data"), 2);
    const io = fakeIO();
    expect(await auditCommand(["export"], io)).toBe(0);
    const lines = io.out.trimEnd().split("\n").map((l) => JSON.parse(l) as { seq: number; grantId: string });
    expect(lines.map((l) => [l.seq, l.grantId])).toEqual([[1, "g1"], [2, "g2"]]);
  });

  it("fails clearly when there is no database, without creating one", async () => {
    const io = fakeIO({ GRANTBOT_DATA_DIR: join(cwd, "nowhere") });
    expect(await auditCommand(["verify"], io)).toBe(1);
    expect(io.err).toMatch(/no database at .*nowhere\/grantbot\.db/);
  });

  it("fails clearly when the file is not a database", async () => {
    mkdirSync(join(cwd, "data"));
    writeFileSync(join(cwd, "data", "grantbot.db"), "not sqlite at all, just some text that is long enough");
    const io = fakeIO();
    expect(await auditCommand(["verify"], io)).toBe(1);
    expect(io.err).toMatch(/cannot open .*grantbot\.db: file is not a database/);
  });

  it.each([[[]], [["frobnicate"]], [["verify", "extra"]]])("prints usage and exits 1 for %j", async (args) => {
    const io = fakeIO();
    expect(await auditCommand(args, io)).toBe(1);
    expect(io.err).toMatch(/usage: grantbot audit <verify\|export>/);
  });
});
