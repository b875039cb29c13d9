/**
 * Repair jobs queued by reconciliation. Each re-checks, when it runs, that the change is still
 * justified by the durable state (a grant may have started or ended since the report), then
 * applies it with read-back (scim-membership.ts). Idempotent.
 */
import type { ServiceDeps } from "../deps.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import type { JobHandler } from "../jobs/runner.ts";
import { justification, managedGroups } from "./reconcile-group.ts";
import { standingFilter } from "../reviews/standing.ts";
import { ensureMember, ensureNotMember } from "../targets/membership.ts";

type AlertHooksDeps = Pick<ServiceDeps, "notifier">;

function alertHooks(deps: AlertHooksDeps, verb: string): Pick<JobHandler, "alertAfterAttempts" | "onAlert" | "onDead"> {
  const describe = (p: Record<string, unknown>) => `${verb} ${String(p.email)} ${verb === "adding" ? "to" : "from"} "${String(p.group)}" in ${String(p.target)}`;
  return {
    alertAfterAttempts: 3,
    async onAlert(payload, error, attempts) {
      await deps.notifier.ops({ kind: "ops_alert", title: "Drift repair is being retried", detail: `${describe(payload)} keeps failing (attempt ${attempts}): ${error}` });
    },
    async onDead(payload, error) {
      await deps.notifier.ops({ kind: "ops_alert", title: "Drift repair failed", detail: `${describe(payload)} failed for good: ${error}` });
    },
  };
}

type RepairHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "jobs" | "notifier" | "people" | "policy" | "reviews" | "targets" | "tx">;

function repairHandler(deps: RepairHandlerDeps, direction: "add" | "remove"): KindHandler<"reconcile_add" | "reconcile_remove"> {
  return {
    maxAttempts: 20,
    ...alertHooks(deps, direction === "add" ? "adding" : "removing"),
    async run(payload, { job }) {
      const target = payload.target;
      const group = payload.group;
      const email = payload.email.toLowerCase();
      const { catalog } = await deps.policy.current();
      const managed = managedGroups(catalog, await standingFilter(deps, catalog)).find((g) => g.target === target && g.group === group);
      if (!managed) return; // no longer managed by the catalog: never touch it
      const { desired, tolerated } = await justification(deps, catalog, managed, job.id);
      const stillWanted = direction === "add" ? desired.has(email) : !desired.has(email) && !tolerated.has(email);
      if (!stillWanted) return;
      const directory = deps.targets.get(target);
      let outcome: string = "added";
      if (direction === "add") await ensureMember(directory, email, group);
      else outcome = await ensureNotMember(directory, email, group);
      const now = deps.clock.now();
      await deps.tx.transaction(async () => {
        await deps.audit.append({
          at: now,
          actor: "grantbot",
          action: direction === "add" ? "reconcile.member_added" : "reconcile.member_removed",
          data: { target, group, subject: email, outcome, verified: true, runId: payload.runId },
        });
      });
    },
  };
}

export type ReconcileAddHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "jobs" | "notifier" | "people" | "policy" | "reviews" | "targets" | "tx">;

export function reconcileAddHandler(deps: ReconcileAddHandlerDeps): KindHandler<"reconcile_add"> {
  return repairHandler(deps, "add");
}

export type ReconcileRemoveHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "grants" | "jobs" | "notifier" | "people" | "policy" | "reviews" | "targets" | "tx">;

export function reconcileRemoveHandler(deps: ReconcileRemoveHandlerDeps): KindHandler<"reconcile_remove"> {
  return repairHandler(deps, "remove");
}
