/**
 * Walks a SCIM list page by page, and proves the walk complete or throws: a caller that infers
 * anything from what is absent (a leaver: "not listed any more") must never see a listing that
 * silently stopped early. Every stop is checked against what the server itself said:
 * - index paging (RFC 7644 §3.4.2.4): `startIndex` is 1-based and `count` only a hint (a server
 *   may return fewer); advance by what came back until `totalResults` is reached. Refused: a
 *   reply whose `startIndex` differs from the one asked (a server ignoring paging would hand out
 *   page one forever), an empty page before `totalResults`, a page shorter than its own
 *   `itemsPerPage` before `totalResults`, a `totalResults` that changes during the walk (items
 *   shifted between pages: some may have been skipped), fewer distinct ids than `totalResults`.
 *   Without `totalResults` (an RFC violation) an empty page ends the list.
 * - cursor paging (AWS IAM Identity Center): first `cursor=` empty, then each `nextCursor` until
 *   none comes back; pages may be shorter than `count`. When the server also sends
 *   `totalResults` (AWS does not), the last page must have reached it.
 * The error is `target_unavailable` (retryable: the next poll tries again).
 * A caller may stop on purpose by returning `false` from `onPage`; that is not checked.
 */
import type { z } from "zod";
import { badReplyError, ScimTargetError } from "./scim-errors.ts";
import type { ScimHttp, Query } from "./scim-http.ts";
import type { ScimProfile } from "./profiles.ts";
import { listResponseSchema } from "./scim-schemas.ts";

/** Upper bound on pages, against servers that never say "done". */
const MAX_PAGES = 10_000;

export interface PagingStats {
  pages: number;
  items: number;
}

function incomplete(http: ScimHttp, request: string, problem: string): ScimTargetError {
  return new ScimTargetError("target_unavailable", `SCIM target ${http.target}: incomplete listing from ${request}: ${problem}`, { target: http.target, request });
}

/** Counts pages, items and distinct ids, and holds the first `totalResults` seen. */
class Walk {
  readonly stats: PagingStats = { pages: 0, items: 0 };
  readonly #ids = new Set<unknown>();
  total: number | undefined;

  constructor(
    private readonly http: ScimHttp,
    private readonly request: string,
  ) {}

  /** Records a reply's totalResults; a change during the walk means items moved under us. */
  see(total: number | undefined): void {
    if (total === undefined) return;
    if (this.total !== undefined && total !== this.total) throw incomplete(this.http, this.request, `totalResults changed from ${this.total} to ${total} during the listing`);
    this.total = total;
  }

  add(items: unknown[]): void {
    this.stats.pages += 1;
    this.stats.items += items.length;
    for (const item of items) this.#ids.add((item as { id?: unknown }).id ?? item);
  }

  /** At the end of the walk: every one of totalResults was seen. */
  checkComplete(): PagingStats {
    if (this.total !== undefined && this.#ids.size < this.total) {
      throw incomplete(this.http, this.request, `the listing ended after ${this.#ids.size} distinct of totalResults ${this.total}`);
    }
    return this.stats;
  }
}

export async function forEachPage<T extends z.ZodType>(
  http: ScimHttp,
  profile: ScimProfile,
  list: { path: string; query?: Query; item: T; count?: number },
  /** Return `false` to stop early (no further page is fetched). */
  onPage: (items: z.output<T>[]) => Promise<void | boolean> | void | boolean,
): Promise<PagingStats> {
  const schema = listResponseSchema(list.item);
  const count = Math.min(list.count ?? profile.maxPageSize, profile.maxPageSize);
  const request = `GET ${list.path}`;
  const walk = new Walk(http, request);

  if (profile.paging === "cursor") {
    let cursor = "";
    for (let page = 0; page < MAX_PAGES; page++) {
      const reply = await http.getJson(list.path, { ...list.query, cursor, count }, schema, "ListResponse");
      walk.see(reply.totalResults);
      const items = reply.Resources ?? [];
      if (items.length > 0) {
        walk.add(items);
        if ((await onPage(items)) === false) return walk.stats;
      }
      const next = reply.nextCursor ?? null;
      if (!next) return walk.checkComplete();
      if (next === cursor) throw badReplyError(http.target, request, "nextCursor repeats the cursor just used");
      cursor = next;
    }
    throw badReplyError(http.target, request, `more than ${MAX_PAGES} pages`);
  }

  let startIndex = 1;
  for (let page = 0; page < MAX_PAGES; page++) {
    const reply = await http.getJson(list.path, { ...list.query, startIndex, count }, schema, "ListResponse");
    if (reply.startIndex !== undefined && reply.startIndex !== startIndex) {
      throw badReplyError(http.target, request, `asked for startIndex ${startIndex}, got ${reply.startIndex}`);
    }
    walk.see(reply.totalResults);
    const items = reply.Resources ?? [];
    const total = walk.total;
    if (items.length === 0) {
      if (total !== undefined && startIndex <= total) throw incomplete(http, request, `empty page at startIndex ${startIndex} of totalResults ${total}`);
      return walk.checkComplete();
    }
    const reached = total === undefined || startIndex + items.length > total;
    if (!reached && reply.itemsPerPage !== undefined && items.length < reply.itemsPerPage) {
      throw incomplete(http, request, `a page of ${items.length} resources says itemsPerPage ${reply.itemsPerPage}, before totalResults ${total}`);
    }
    walk.add(items);
    if ((await onPage(items)) === false) return walk.stats;
    startIndex += items.length;
    if (total !== undefined && startIndex > total) return walk.checkComplete();
  }
  throw badReplyError(http.target, request, `more than ${MAX_PAGES} pages`);
}

/** First page only (for lookups by a unique attribute). */
export async function firstPage<T extends z.ZodType>(
  http: ScimHttp,
  path: string,
  query: Query,
  item: T,
): Promise<z.output<T>[]> {
  const reply = await http.getJson(path, query, listResponseSchema(item), "ListResponse");
  return reply.Resources ?? [];
}
