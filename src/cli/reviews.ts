/**
 * `grantbot reviews [--json] [--dir <grants dir>]`: access reviews of standing members — who is
 * due and overdue, the review and removal PRs still open, and the completed ones (kept, removed,
 * approvers, or why rejected). Reads grantbot's database (GRANTBOT_DATABASE_URL, else
 * GRANTBOT_DATA_DIR) and the catalog from
 * the grants repository as `serve` does (the configuration in the environment), or from a local
 * grants directory with `--dir`. Exit 0 (1 on error).
 */
import { resolve } from "node:path";
import type { Command } from "./io.ts";
import { openCliStores } from "./cli-stores.ts";
import { configOrReport } from "./load.ts";
import { buildOneShot } from "./one-shot.ts";
import { readCatalogText } from "../adapters/files/grants-dir.ts";
import type { Catalog } from "../domain/grant-files.ts";
import { parsePolicy } from "../services/policy/policy-provider.ts";
import { listReviews, type ReviewListing } from "../services/reviews/review-listing.ts";
import { createLogger } from "../shared/logger.ts";
import { systemClock } from "../shared/clock.ts";

const USAGE = "usage: grantbot reviews [--json] [--dir <grants dir>]\n";

function table(listing: ReviewListing): string {
  const lines: string[] = [];
  const section = (title: string, rows: string[]) => lines.push(`${title} (${rows.length})`, ...(rows.length ? rows.map((r) => `  ${r}`) : ["  -"]), "");
  const pr = (n: number | null) => (n === null ? "" : ` #${n}`);
  section("DUE", listing.due.map((d) => `${d.resource}  ${d.email}  review_after ${d.reviewAfter ?? "(never reviewed)"}${pr(d.pr)}`));
  section("OVERDUE", listing.overdue.map((d) => `${d.resource}  ${d.email}  since ${d.reviewAfter}  on_missed: ${d.onMissed}${pr(d.pr)}`));
  section("OPEN PRS", listing.open.map((o) => `${o.resource}  ${o.kind} (${o.cause})${pr(o.pr)}  ${o.members.join(", ")}  opened ${o.openedAt}`));
  section(
    "COMPLETED",
    listing.completed.map((c) => {
      const what = c.state === "certified" ? `kept ${c.kept.join(", ") || "-"}; removed ${c.removed.join(", ") || "-"}; approved by ${c.approvers.join(", ")}` : (c.reason ?? "");
      return `${c.resource}  ${c.kind} ${c.state}${pr(c.pr)}  ${c.closedAt ?? ""}  ${what}`;
    }),
  );
  return lines.join("\n");
}

function flagValue(args: string[], flag: string): string | undefined {
  const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return undefined;
  return args[i]!.includes("=") ? args[i]!.slice(flag.length + 1) : args[i + 1];
}

export const reviewsCommand: Command = async (args, io) => {
  const dir = flagValue(args, "--dir");
  const rest = args.filter((a, i) => a !== "--json" && !a.startsWith("--dir") && !(args[i - 1] === "--dir"));
  if (rest.length > 0) {
    io.stderr(`grantbot reviews: unknown argument ${rest[0]}\n${USAGE}`);
    return 1;
  }
  const print = (listing: ReviewListing) => io.stdout(args.includes("--json") ? `${JSON.stringify(listing)}\n` : table(listing));
  try {
    if (dir !== undefined) {
      const catalog: Catalog = parsePolicy(readCatalogText(resolve(io.cwd, dir)), null).catalog;
      const opened = await openCliStores(io, "reviews");
      if (!opened) return 1;
      const store = opened.stores;
      try {
        print(await listReviews({ clock: systemClock, people: store.people, reviews: store.reviews }, catalog));
      } finally {
        await store.close();
      }
      return 0;
    }
    const config = configOrReport(io);
    if (!config) return 1;
    const log = createLogger({ level: config.logLevel === "silent" ? "silent" : "warn", destination: process.stderr });
    const built = await buildOneShot(config, "reviews", log);
    try {
      const { catalog } = await built.deps.policy.current();
      print(await listReviews(built.deps, catalog));
    } finally {
      await built.close();
    }
    return 0;
  } catch (err) {
    io.stderr(`grantbot reviews: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
};
