/**
 * Reads catalog.yaml and people.yaml from the grants repository's base branch (through the
 * GrantsSource port, which uses conditional requests) and keeps the last valid version, so a
 * catalog merged on GitHub takes effect without a restart and a broken one never replaces a
 * good one.
 */
import { parse } from "yaml";
import { catalogSchema, peopleSchema, type Catalog, type People } from "../../domain/grant-files.ts";
import { AppError } from "../../domain/errors.ts";
import type { GrantsSource, Log } from "../ports/index.ts";

export interface Policy {
  catalog: Catalog;
  people: People;
}

export interface PolicyReadOptions {
  /**
   * Accept a policy read from GitHub at most this long ago (ms), instead of the provider's own
   * freshness. Only for reads whose answer is checked again later with a fresh read.
   */
  maxAgeMs?: number;
}

/**
 * How old a catalog a new request may be validated against. The merge check reads the catalog
 * fresh, so a request filed against one a few minutes old is still judged by the current one at
 * merge; in exchange filing a request reads nothing from GitHub (PRODUCT.md: request -> PR in at
 * most 5 GitHub calls). A periodic refresh (main.ts) keeps the cached copy younger than this.
 */
export const REQUEST_POLICY_MAX_AGE_MS = 5 * 60_000;

export interface PolicyProvider {
  /** The current policy; throws `target_unavailable` when it was never loaded and GitHub is down. */
  current(options?: PolicyReadOptions): Promise<Policy>;
  /**
   * The policy as it was at one commit of the grants repository (a full SHA). What approvals and
   * activations are judged by: a commit cannot change, so neither can the rules read from it.
   * Throws `bad_input` when the files at that commit are missing or invalid (never falls back to
   * another version), `target_unavailable` when GitHub cannot be reached.
   */
  at(sha: string): Promise<Policy>;
}

/** How many commits' policies a provider keeps parsed (each is immutable; a few cover every grant in flight). */
const POLICY_AT_CACHE = 32;

function parseYaml(text: string, file: string): unknown {
  try {
    return parse(text, { maxAliasCount: 50, uniqueKeys: true });
  } catch (err) {
    throw new AppError("bad_input", `${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
}

export function parsePolicy(catalogText: string, peopleText: string | null): Policy {
  const catalog = catalogSchema.safeParse(parseYaml(catalogText, "grants/catalog.yaml"));
  if (!catalog.success) {
    throw new AppError("bad_input", `grants/catalog.yaml is invalid: ${catalog.error.issues[0]?.message ?? "unknown"}`);
  }
  const people = peopleSchema.safeParse(peopleText === null ? { people: [] } : parseYaml(peopleText, "grants/people.yaml"));
  if (!people.success) {
    throw new AppError("bad_input", `grants/people.yaml is invalid: ${people.error.issues[0]?.message ?? "unknown"}`);
  }
  return { catalog: catalog.data, people: people.data };
}

export class RepoPolicyProvider implements PolicyProvider {
  private last: { key: string; policy: Policy } | null = null;
  private lastBadKey: string | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<Policy> | null = null;

  /**
   * @param maxAgeMs how long a successful read is reused without asking GitHub again (conditional
   *   requests are cheap but not free: a burst of activations should not cost two calls each).
   */
  private readonly byCommit = new Map<string, Promise<Policy>>();

  constructor(
    private readonly source: GrantsSource,
    private readonly log: Log,
    private readonly onInvalid: (message: string) => void = () => {},
    private readonly clock: { now(): number } = { now: () => 0 },
    private readonly maxAgeMs = 0,
  ) {}

  async current(options: PolicyReadOptions = {}): Promise<Policy> {
    if (this.last && this.clock.now() - this.checkedAt < (options.maxAgeMs ?? this.maxAgeMs)) return this.last.policy;
    // Concurrent callers share one read.
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  at(sha: string): Promise<Policy> {
    const key = sha.toLowerCase();
    const cached = this.byCommit.get(key);
    if (cached) return cached;
    const read = this.source.readPolicyFilesAt(key).then((files) => parsePolicy(files.catalog.text, files.people?.text ?? null));
    this.byCommit.set(key, read);
    // A failed read (GitHub down) is not remembered; an invalid policy is re-parsed on the next ask.
    read.catch(() => this.byCommit.delete(key));
    while (this.byCommit.size > POLICY_AT_CACHE) this.byCommit.delete(this.byCommit.keys().next().value!);
    return read;
  }

  private async load(): Promise<Policy> {
    let files;
    try {
      files = await this.source.readPolicyFiles();
    } catch (err) {
      if (this.last) {
        this.log.warn({ err: String(err) }, "policy files unavailable; using the last good version");
        return this.last.policy;
      }
      throw err;
    }
    this.checkedAt = this.clock.now();
    const key = `${files.catalog.text}\u0000${files.people?.text ?? ""}`;
    if (this.last?.key === key) return this.last.policy;
    try {
      const policy = parsePolicy(files.catalog.text, files.people?.text ?? null);
      this.last = { key, policy };
      return policy;
    } catch (err) {
      if (this.lastBadKey !== key) {
        this.lastBadKey = key;
        const message = (err as Error).message;
        this.log.error({ err: message }, "policy files on the base branch are invalid");
        this.onInvalid(message);
      }
      if (this.last) return this.last.policy;
      throw err;
    }
  }
}

/** A fixed policy (CLI commands that run on a checkout, tests). */
export class StaticPolicyProvider implements PolicyProvider {
  constructor(private readonly policy: Policy) {}
  async current(_options?: PolicyReadOptions): Promise<Policy> {
    return this.policy;
  }
  /** A checkout has one policy: the same at every commit. */
  async at(_sha: string): Promise<Policy> {
    return this.policy;
  }
}
