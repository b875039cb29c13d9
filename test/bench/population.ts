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
