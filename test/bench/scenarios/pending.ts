/**
 * Figures for features that may not exist yet (leavers and reconciliation, issue 4). Each is
 * measured when the feature is present in this checkout and listed as "pending" otherwise, so
 * the benchmark runs cleanly either way.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../crash/world.ts";
import type { BenchContext, Figure } from "./types.ts";

export interface Feature {
  present: boolean;
  why: string;
}

export function reconcileFeature(): Feature {
  const service = existsSync(join(ROOT, "src/services/reconcile/reconcile-group.ts"));
  const cli = existsSync(join(ROOT, "src/cli/reconcile.ts"));
  return service && cli ? { present: true, why: "" } : { present: false, why: "src/services/reconcile/reconcile-group.ts and `grantbot reconcile` do not exist yet (issue 4)" };
}

export async function directoryPushFeature(ctx: BenchContext): Promise<Feature> {
  const res = await fetch(`${ctx.world.url}/hooks/directory`, { method: "POST", body: "{}" });
  await res.arrayBuffer();
  return res.status === 404 ? { present: false, why: "POST /hooks/directory is not served yet (issue 4)" } : { present: true, why: "" };
}

export function directoryPollFeature(): Feature {
  const present = ["src/services/leavers/offboard-person.ts", "src/services/leavers/directory-sync.ts"].some((p) => existsSync(join(ROOT, p)));
  return present ? { present: true, why: "" } : { present: false, why: "directory polling (src/services/leavers/) does not exist yet (issue 4)" };
}

export function pendingFigure(key: string, title: string, why: string): Figure {
  return { key, title, summary: null, pending: why };
}
