/**
 * The shape the code keeps as it grows (issue 12): no import cycles anywhere under src/ (type-only
 * and dynamic imports included), no source file over 300 lines, and job payloads read through
 * their typed schema (jobs/kinds.ts), never cast in services.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importsOf } from "./architecture-rules.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAX_LINES = 300;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) out.push(path.replaceAll("\\", "/"));
  }
  return out;
}

/** Strongly connected components with more than one file (or a file importing itself). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), "utf8");
    const targets = importsOf(text)
      .filter((i) => i.specifier.startsWith("."))
      .map((i) => relative(ROOT, resolve(ROOT, dirname(file), i.specifier)).replaceAll("\\", "/"));
    graph.set(file, targets);
  }
  return graph;
}

describe("code structure", () => {
  const files = sourceFiles("src");

  it("finds an import cycle when there is one (type-only and dynamic imports count)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(importCycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(importsOf(`import type { X } from "./x.ts";\nconst m = await import("./y.ts");\nexport * from "./z.ts";`).map((i) => i.specifier)).toEqual(["./x.ts", "./y.ts", "./z.ts"]);
  });

  it("has no import cycle under src/", () => {
    expect(importCycles(importGraph(files))).toEqual([]);
  });

  it(`keeps every source file at ${MAX_LINES} lines or fewer`, () => {
    const long = files
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), "utf8").split("\n").length }))
      .filter((f) => f.lines > MAX_LINES && !f.file.endsWith(".json"));
    expect(long).toEqual([]);
  });

  it("reads job payloads through their schema: no casts of payload fields in services", () => {
    const casts = files
      .filter((f) => f.startsWith("src/services/"))
      .flatMap((file) =>
        readFileSync(join(ROOT, file), "utf8")
          .split("\n")
          .flatMap((line, i) => (/\b(String|Number|Boolean)\((job\.)?payload\.|\bpayload as\b|job\.payload\.\w/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(casts).toEqual([]);
  });
});
