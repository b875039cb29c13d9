/**
 * The interfaces services need, owned by the services (CONVENTIONS.md §1), one file per family.
 * Adapters implement them; tests use fakes that implement them. Times are epoch milliseconds
 * unless stated. Import from here (`ports/index.ts`) or from the family's file.
 */
export type * from "./runtime.ts";
export type * from "./store.ts";
export type * from "./jobs.ts";
export type * from "./credentials.ts";
export type * from "./access-targets.ts";
export type * from "./github.ts";
export type * from "./notifications.ts";
export type * from "./people.ts";
export type * from "./slack.ts";
export type * from "./breakglass.ts";
export type * from "./reviews.ts";
