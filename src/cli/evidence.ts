/**
 * `grantbot evidence [--from <date>] [--to <date>] [--out <file>] [--json]`: the evidence report
 * for an audit period (default: the last 90 days up to now) — one self-contained HTML file, or
 * with `--json` the same facts as JSON. Reads the database, the catalog, every managed group's
 * live members and the directory; changes nothing. Exit 0 when the report was written, 1 on a
 * usage, configuration or read error.
 *
 * Without `--out`, HTML goes to `grantbot-evidence-<from>-to-<to>.html` in the current directory
 * and JSON to stdout; `--out=-` writes either to stdout.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "./io.ts";
import { configOrReport } from "./load.ts";
import { evidenceRuntime } from "./evidence-deps.ts";
import { parsePeriod } from "../domain/evidence-period.ts";
import type { EvidenceReport } from "../domain/evidence-types.ts";
import { gatherEvidence } from "../services/evidence/gather-evidence.ts";
import { createLogger } from "../shared/logger.ts";
import { systemClock } from "../shared/clock.ts";

const USAGE = "usage: grantbot evidence [--from <date>] [--to <date>] [--out <file>] [--json]\n";

interface Args {
  from?: string;
  to?: string;
  out?: string;
  json: boolean;
}

export function parseEvidenceArgs(args: readonly string[]): Args | string {
  const out: Args = { json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--json") {
      out.json = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (name !== "--from" && name !== "--to" && name !== "--out") return `unexpected argument ${JSON.stringify(arg)}`;
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === "") return `${name} needs a value`;
    out[name.slice(2) as "from" | "to" | "out"] = value;
  }
  return out;
}

/** One line for the operator: where the report went and what stands out. */
export function evidenceHeadline(report: EvidenceReport, where: string, bytes: number): string {
  const s = report.summary;
  const disagreements = report.groups.reduce((n, g) => n + g.members.filter((m) => m.problem).length, 0);
  const unread = report.groups.filter((g) => g.readError).length;
  return [
    `wrote ${where} (${(bytes / 2 ** 20).toFixed(2)} MB)`,
    `${report.grants.length} grants`,
    `${s.lateExpiries.length} late expiries`,
    `${disagreements} disagreement(s) now${unread ? `, ${unread} group(s) unreadable` : ""}`,
    `audit log ${s.audit.ok ? "intact" : "BROKEN"} (${s.audit.rows} rows)`,
  ].join("; ");
}

export const evidenceCommand: Command = async (args, io) => {
  const parsed = parseEvidenceArgs(args);
  if (typeof parsed === "string") {
    io.stderr(`grantbot evidence: ${parsed}\n${USAGE}`);
    return 1;
  }
  const period = parsePeriod({ from: parsed.from, to: parsed.to }, systemClock.now());
  if (!period.ok) {
    io.stderr(`grantbot evidence: ${period.error}\n${USAGE}`);
    return 1;
  }
  const config = configOrReport(io);
  if (!config) return 1;
  // Logs go to stderr so the report on stdout (--out -, --json) stays clean.
  const log = createLogger({ level: config.logLevel === "silent" ? "silent" : "warn", destination: process.stderr });
  let runtime;
  try {
    runtime = await evidenceRuntime(config, log, io.cwd);
  } catch (err) {
    io.stderr(`grantbot evidence: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  try {
    const report = await gatherEvidence(runtime.deps, { period: period.period, peopleSource: runtime.peopleSource });
    // The charting libraries load only for the HTML page.
    const text = parsed.json ? `${JSON.stringify(report, null, 2)}\n` : await (await import("../adapters/report/evidence-page.ts")).renderEvidencePage(report, { source: config.github.repository });
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const out = parsed.out ?? (parsed.json ? "-" : `grantbot-evidence-${day(report.period.from)}-to-${day(report.period.to)}.html`);
    if (out === "-") io.stdout(text);
    else writeFileSync(resolve(io.cwd, out), text, { mode: 0o644 });
    io.stderr(`${evidenceHeadline(report, out === "-" ? "stdout" : resolve(io.cwd, out), Buffer.byteLength(text))}\n`);
    return 0;
  } catch (err) {
    io.stderr(`grantbot evidence: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await runtime.close();
  }
};
