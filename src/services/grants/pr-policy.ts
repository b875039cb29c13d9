/**
 * The catalog fields a grant PR's body needs, snapshot into the open_pr job when the request is
 * filed: the job then needs no catalog read of its own, so opening the PR costs exactly the 5
 * GitHub calls of the product's bar (the request already read the catalog).
 */
import type { CatalogResource } from "../../domain/grant-files.ts";

export type PrPolicy = Pick<CatalogResource, "description" | "approvers" | "reason_required"> & { duration: Pick<CatalogResource["duration"], "max"> };

/** The snapshot for the job payload. */
export function prPolicyOf(resource: CatalogResource): PrPolicy {
  return { description: resource.description, approvers: resource.approvers, reason_required: resource.reason_required, duration: { max: resource.duration.max } };
}

