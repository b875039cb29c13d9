/**
 * `app_home_opened`: publish the person's Home tab (views.publish) and remember them, so every
 * later state change of their grants re-publishes it (refresh_home jobs).
 */
import type { App } from "@slack/bolt";
import { openHome } from "../../services/surfaces/home-tab.ts";
import { toAppError } from "../../domain/errors.ts";
import { assertSlackIdentity, type SlackHandlerContext } from "./handler-context.ts";
import { userFacingError } from "./views/error-text.ts";
import { unknownUserHome } from "./views/home.ts";
import { wrap } from "./slack-errors.ts";

export const APP_HOME_OPENED = "app_home_opened";

export function registerAppHome(app: App, ctx: SlackHandlerContext): void {
  app.event(APP_HOME_OPENED, async ({ event, client, logger }) => {
    // The same event fires for the Messages tab; only the Home tab has something to publish.
    if (event.tab !== "home") return;
    try {
      const email = await ctx.directory.emailOf(event.user);
      // Someone else's grants are never shown (nor remembered for later refreshes) to an account
      // whose profile merely shows their email.
      const refused = email ? await assertSlackIdentity(ctx, email, event.user).then(() => null, (err: unknown) => err) : null;
      if (!email || refused) {
        const why = refused ? userFacingError("unknown_person", toAppError(refused).message) : undefined;
        await wrap("views.publish", () => client.views.publish({ user_id: event.user, view: unknownUserHome(why) as never }));
        return;
      }
      await openHome(ctx.deps, ctx.slack, event.user, email);
    } catch (err) {
      logger.warn(`Home tab not published: ${String(err)}`);
    }
  });
}
