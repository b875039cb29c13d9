import { describe, expect, it } from "vitest";
import { groupCommit } from "../../src/shared/group-commit.ts";

function deferred() {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("groupCommit", () => {
  it("writes the callers that arrive while a write runs together, in the next write", async () => {
    const writes: number[][] = [];
    const gates = [deferred(), deferred()];
    const record = groupCommit<number>(async (items) => {
      writes.push(items);
      await gates[writes.length - 1]!.promise;
    });
    const first = record([1]);
    const second = record([2]);
    const third = record([3, 4]);
    await Promise.resolve();
    expect(writes).toEqual([[1]]);
    gates[0]!.resolve();
    await first;
    expect(writes).toEqual([[1], [2, 3, 4]]);
    let settled = false;
    void second.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false); // not before its own write commits
    gates[1]!.resolve();
    await Promise.all([second, third]);
  });

  it("rejects every caller of a failed write, and later writes go on", async () => {
    const gate = deferred();
    let n = 0;
    const record = groupCommit<string>(async (items) => {
      n++;
      if (n === 1) await gate.promise;
      if (items.includes("bad")) throw new Error("write failed");
    });
    const a = record(["a"]);
    const b = record(["bad"]);
    const c = record(["c"]);
    gate.resolve();
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toThrow("write failed");
    await expect(c).rejects.toThrow("write failed");
    await expect(record(["d"])).resolves.toBeUndefined();
    expect(n).toBe(3);
  });
});
