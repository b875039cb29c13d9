/**
 * grantbot's App Home tab (pure): a "Request access" button, my live grants (expires in, use so
 * far, Extend and Release), my pending requests (PR, approvals so far / required) and what ended recently.
 * At most SLACK_LIMITS.viewBlocks blocks; what does not fit is counted, not dropped silently.
 */
import type { HomeModel } from "../../../services/ports/slack.ts";
import { context, header, requestAccessButton, section, slackDate } from "./blocks.ts";
import { fitGroups, liveGrantBlocks, pendingBlock, recentText } from "./grant-list.ts";
import { SLACK_LIMITS } from "./limits.ts";

export function homeView(home: HomeModel): Record<string, unknown> {
  const top = [
    header("Your access"),
    section("Ask for time-bound access to a resource; an approver reviews it as a pull request and it ends on its own.", requestAccessButton()),
  ];
  const blocks = fitGroups(
    top,
    [
      {
        title: `*Live grants* (${home.live.length})`,
        items: home.live.map((g) => liveGrantBlocks(g, home.now, home.usage?.[g.id])),
        empty: "No live grants. Use *Request access* or `/access <resource> <duration> <reason>`.",
      },
      {
        title: `*Pending requests* (${home.pending.length})`,
        items: home.pending.map((p) => [pendingBlock(p)]),
        empty: "Nothing waiting for review.",
      },
      { title: "*Recently ended*", items: home.recent.map((g) => [context(recentText(g, home.usage?.[g.id]))]), empty: null },
    ],
    [context(`Updated ${slackDate(home.now)} · \`/access help\` lists every command`)],
    SLACK_LIMITS.viewBlocks,
    "(see `/access list`)",
  );
  return { type: "home", blocks };
}

/** The Home tab of someone grantbot cannot identify (no email visible on their Slack profile). */
/** The Home tab of someone grantbot cannot tell who they are: no email on the profile, or `why`. */
export function unknownUserHome(why?: string): Record<string, unknown> {
  return {
    type: "home",
    blocks: [
      header("Your access"),
      section(why ?? "grantbot cannot see an email address on your Slack profile, so it cannot tell which grants are yours. Ask the platform team to check your profile or add you to grants/people.yaml."),
    ],
  };
}
