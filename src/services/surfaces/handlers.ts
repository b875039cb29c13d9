/** The job kind -> handler table of the Slack experience; main.ts merges it with jobHandlers(). */
import type { ServiceDeps } from "../deps.ts";
import { refreshHomeHandler } from "./home-tab.ts";
import type { JobHandler } from "../jobs/runner.ts";
import { JOB } from "../jobs/kinds.ts";
import { refreshCardHandler } from "./request-card.ts";
import { checkReviewsHandler } from "../grants/review-check.ts";
import type { SlackExperience } from "../ports/slack.ts";

export function slackJobHandlers(deps: ServiceDeps, slack: SlackExperience): Record<string, JobHandler> {
  return {
    [JOB.refreshCard]: refreshCardHandler(deps, slack),
    [JOB.checkReviews]: checkReviewsHandler(deps, slack),
    [JOB.refreshHome]: refreshHomeHandler(deps, slack),
  };
}
