/**
 * Drift between what live grants justify and what a SCIM group contains. Pure.
 */

/** One managed group of one resource, compared. Emails are lower-cased and sorted. */
export interface DriftEntry {
  resource: string;
  target: string;
  group: string;
  /** Justified (live grant or standing member) but not in the group. */
  missing: string[];
  /** In the group but justified by nothing. */
  unexpected: string[];
  /** Whether grantbot repairs this group (resource `enforce: true`, or `--fix`). */
  enforced: boolean;
  /** Set when the group could not be read; missing/unexpected are then empty. */
  error?: string;
}

/**
 * `desired`: must be members. `tolerated`: may be members or not right now (a change is in
 * flight: activation pending, removal queued). `actual`: the target's members.
 */
export function compareMembers(desired: Iterable<string>, tolerated: Iterable<string>, actual: Iterable<string>): { missing: string[]; unexpected: string[] } {
  const want = new Set([...desired].map((e) => e.toLowerCase()));
  const maybe = new Set([...tolerated].map((e) => e.toLowerCase()));
  const have = new Set([...actual].map((e) => e.toLowerCase()));
  const missing = [...want].filter((e) => !have.has(e) && !maybe.has(e)).sort();
  const unexpected = [...have].filter((e) => !want.has(e) && !maybe.has(e)).sort();
  return { missing, unexpected };
}

export function hasDrift(entries: readonly DriftEntry[]): boolean {
  return entries.some((e) => e.missing.length > 0 || e.unexpected.length > 0);
}

/** Plain-text summary of the groups that drifted (ops alert). */
export function driftSummary(entries: readonly DriftEntry[], repairing: boolean): string {
  const lines: string[] = [];
  for (const e of entries) {
    if (e.missing.length === 0 && e.unexpected.length === 0) continue;
    const parts = [];
    if (e.missing.length) parts.push(`missing ${e.missing.join(", ")}`);
    if (e.unexpected.length) parts.push(`unexpected ${e.unexpected.join(", ")}`);
    const action = e.enforced && repairing ? "repairing (enforce)" : "report only";
    lines.push(`• ${e.resource}: "${e.group}" in ${e.target}: ${parts.join("; ")} — ${action}`);
  }
  return lines.join("\n");
}

/** A short stable fingerprint of the drift (dedupes identical alerts). FNV-1a, hex. */
export function driftFingerprint(entries: readonly DriftEntry[]): string {
  const text = entries
    .filter((e) => e.missing.length || e.unexpected.length)
    .map((e) => `${e.resource}|${e.target}|${e.group}|${e.missing.join(",")}|${e.unexpected.join(",")}`)
    .sort()
    .join("\n");
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
