import type { World } from "../../crash/world.ts";
import type { BenchCluster } from "../bench-cluster.ts";
import type { Summary } from "../stats.ts";

export interface BenchContext {
  world: World;
  /** The instances (one on SQLite; `--instances N` on PostgreSQL) and the state they keep. */
  cluster: BenchCluster;
  quick: boolean;
  rttMs: number;
  /** Index of the next unused generated person (each scenario takes fresh people). */
  nextPerson(): number;
  log(message: string): void;
}

export interface Bar {
  /** The PRODUCT.md wording. */
  text: string;
  met: boolean;
  /** Why, in a few words (the figure that decided it). */
  why: string;
}

export interface Figure {
  key: string;
  title: string;
  summary: Summary | null;
  /** Extra numbers (ratios, counts) shown in the notes column and kept in the JSON. */
  notes?: string;
  extra?: Record<string, unknown>;
  bar?: Bar;
  /** Not measured: the feature does not exist yet. */
  pending?: string;
}
