/**
 * CPU time of the benchmark's processes over a window, read from /proc (Linux): this process (every
 * fake server, the probes), the grantbot instances (descendants running the crash suite's child
 * entry) and PostgreSQL (descendant `postgres` processes). It tells whether a figure was bound by
 * the machine: the cores give (cores × seconds) of CPU to all of them together.
 *
 * A process that exits inside the window loses its share (a PostgreSQL backend whose connection
 * closed); one that starts inside it counts from its start. Elsewhere than Linux: null.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

export type CpuFamily = "benchmark" | "grantbot" | "postgres" | "other";

interface ProcessTime {
  family: CpuFamily;
  ms: number;
}

let tickMs: number | null = null;
function msPerTick(): number {
  if (tickMs === null) {
    const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    tickMs = 1000 / (Number.isFinite(hz) && hz > 0 ? hz : 100);
  }
  return tickMs;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null; // the process exited meanwhile
  }
}

/** pid -> [ppid, utime + stime in ticks, command name]. */
function stats(): Map<number, [number, number, string]> {
  const out = new Map<number, [number, number, string]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    out.set(Number(name), [Number(fields[1]), Number(fields[11]) + Number(fields[12]), stat.slice(stat.indexOf("(") + 1, close)]);
  }
  return out;
}

/** CPU ms of this process and each of its descendants, by pid. */
function snapshot(): Map<number, ProcessTime> {
  const all = stats();
  const self = process.pid;
  const descends = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = all.get(p)?.[0] ?? 0, hops++) if (p === self) return true;
    return false;
  };
  const out = new Map<number, ProcessTime>();
  for (const [pid, [, ticks, comm]] of all) {
    if (!descends(pid)) continue;
    const family: CpuFamily =
      pid === self ? "benchmark" : comm.startsWith("postgres") ? "postgres" : (read(`/proc/${pid}/cmdline`) ?? "").includes("child-entry") ? "grantbot" : "other";
    out.set(pid, { family, ms: ticks * msPerTick() });
  }
  return out;
}

export interface CpuWindow {
  seconds: number;
  cores: number;
  /** CPU seconds per family over the window. */
  used: Record<CpuFamily, number>;
}

/** Starts a window now; `stop()` returns what each family used since. */
export function cpuWindow(): { stop(): CpuWindow } | null {
  if (!existsSync("/proc/self/stat")) return null;
  const started = Date.now();
  const before = snapshot();
  return {
    stop() {
      const used: Record<CpuFamily, number> = { benchmark: 0, grantbot: 0, postgres: 0, other: 0 };
      for (const [pid, now] of snapshot()) used[now.family] += (now.ms - (before.get(pid)?.ms ?? 0)) / 1000;
      for (const family of Object.keys(used) as CpuFamily[]) used[family] = Math.round(used[family] * 100) / 100;
      return { seconds: Math.round((Date.now() - started) / 10) / 100, cores: cpus().length, used };
    },
  };
}

/** "grantbot 3.4, PostgreSQL 2.7, benchmark process 1.9 CPU-s of 9.0 (2 cores × 4.5 s)". */
export function describeCpu(w: CpuWindow): string {
  const parts = [`grantbot ${w.used.grantbot}`, ...(w.used.postgres > 0 ? [`PostgreSQL ${w.used.postgres}`] : []), `benchmark process ${w.used.benchmark}`];
  return `${parts.join(", ")} CPU-s of ${(w.cores * w.seconds).toFixed(1)} (${w.cores} cores × ${w.seconds} s)`;
}
