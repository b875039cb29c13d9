/**
 * The benchmark's people: the repository's people.yaml (approvers such as carol-gh) plus `count`
 * generated engineers, each with a GitHub login and a Slack id.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify, parse } from "yaml";
import { ROOT, type WorldPerson } from "../crash/world.ts";

export function benchPerson(i: number): WorldPerson {
  const n = String(i).padStart(5, "0");
  return { email: `eng-${n}@example.com`, github: `eng-${n}-gh`, slack: `U0B${n}`, groups: ["engineering"] };
}

export function peopleText(count: number): string {
  const base = (parse(readFileSync(join(ROOT, "grants/people.yaml"), "utf8")) as { people: WorldPerson[] }).people;
  const generated = Array.from({ length: count }, (_, i) => benchPerson(i + 1));
  return stringify({ people: [...base, ...generated] });
}

/** Resources of the benchmark catalog beyond the repository's: `bench-NN`, one group each. */
export const BENCH_GROUPS = 20;
export const BENCH_TARGETS = ["aws", "okta"] as const;

export function benchResource(i: number): { id: string; target: string; group: string } {
  const n = String(i + 1).padStart(2, "0");
  return { id: `bench-${n}`, target: BENCH_TARGETS[i % BENCH_TARGETS.length]!, group: `bench-group-${n}` };
}

/** The repository's catalog plus BENCH_GROUPS resources spread over two SCIM targets. */
export function catalogText(): string {
  const doc = parse(readFileSync(join(ROOT, "grants/catalog.yaml"), "utf8")) as { resources: Record<string, unknown> };
  for (let i = 0; i < BENCH_GROUPS; i++) {
    const r = benchResource(i);
    doc.resources[r.id] = {
      description: `Benchmark resource ${r.id}`,
      scim: { target: r.target, groups: [r.group] },
      duration: { default: "1h", max: "8h" },
      approvers: { users: ["carol-gh"], min: 1 },
      reason_required: true,
      credential: { audience: r.id, scopes: ["bench:use"] },
      enforce: false,
    };
  }
  return stringify(doc);
}
