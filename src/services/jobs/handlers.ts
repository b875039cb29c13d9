/** The job kind -> handler table the runner uses. */
import type { ServiceDeps } from "../deps.ts";
import type { JobHandler } from "./runner.ts";
import { JOB } from "./kinds.ts";
import { openPullRequestHandler } from "../grants/open-pull-request.ts";
import { checkMergeHandler } from "../grants/check-merge.ts";
import { confirmCloseHandler } from "../grants/pull-request-events.ts";
import { activateHandler } from "../grants/activate-grant.ts";
import { expireHandler } from "../grants/end-grant.ts";
import { removeMembershipHandler } from "../grants/remove-membership.ts";
import { closePrHandler, deliverCredentialHandler, notifyHandler, prCommentHandler, redactCredentialHandler } from "../messages/message-jobs.ts";
import { leaversJobHandlers } from "../leavers/handlers.ts";

export function jobHandlers(deps: ServiceDeps): Record<string, JobHandler> {
  return {
    [JOB.openPr]: openPullRequestHandler(deps),
    [JOB.checkMerge]: checkMergeHandler(deps),
    [JOB.confirmClose]: confirmCloseHandler(deps),
    [JOB.activate]: activateHandler(deps),
    [JOB.expire]: expireHandler(deps),
    [JOB.scimRemove]: removeMembershipHandler(deps),
    [JOB.notify]: notifyHandler(deps),
    [JOB.deliverCredential]: deliverCredentialHandler(deps),
    [JOB.redactCredential]: redactCredentialHandler(deps),
    [JOB.prComment]: prCommentHandler(deps),
    [JOB.closePr]: closePrHandler(deps),
    ...leaversJobHandlers(deps),
  };
}
