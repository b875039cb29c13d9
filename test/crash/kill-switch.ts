/**
 * Kill points for the crash suite: each arms a trigger on what grantbot does next (a GitHub call,
 * a SCIM request, a Slack message, a moment) and kills the child with SIGKILL when it fires.
 * SCIM triggers run inside the SCIM server's request pipeline, before the request is applied:
 * `hang` leaves the request unanswered and unapplied (grantbot dies with a PATCH in flight),
 * otherwise the server applies it after grantbot died (applied, but never acknowledged).
 */
import type { RecordedRequest, ScimTestServer } from "../fakes/scim-server/index.ts";
import type { World } from "./world.ts";

export interface Fired {
  /** What fired, for the test's log. */
  what: string;
}

export class KillSwitch {
  readonly fired: Promise<Fired>;
  #fire!: (f: Fired) => void;
  #done = false;
  #stops: Array<() => void> = [];

  constructor(private readonly world: World) {
    this.fired = new Promise((resolve) => (this.#fire = resolve));
  }

  get done(): boolean {
    return this.#done;
  }

  /** Kills now (synchronously sends SIGKILL) and resolves `fired`. */
  kill(what: string): void {
    if (this.#done) return;
    this.#done = true;
    this.world.child?.kill("SIGKILL");
    this.#fire({ what });
    this.disarm();
  }

  disarm(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }

  /** Polls `probe` on every turn of the event loop; kills when it returns a label. */
  when(probe: () => string | null): void {
    let stopped = false;
    const loop = () => {
      if (stopped || this.#done) return;
      const what = probe();
      if (what) this.kill(what);
      else setImmediate(loop);
    };
    this.#stops.push(() => (stopped = true));
    setImmediate(loop);
  }

  at(time: number, what: string): void {
    const t = setTimeout(() => this.kill(what), Math.max(0, time - Date.now()));
    this.#stops.push(() => clearTimeout(t));
  }

  /**
   * Kills when `server` receives a request `match` accepts (checked before the request is
   * applied). With `hang` that request is never answered nor applied; `onHang` gets its record.
   */
  onScim(server: ScimTestServer, match: (req: RecordedRequest) => boolean, what: string, opts: { hang?: boolean; onHang?: (req: RecordedRequest) => void } = {}): void {
    let active = true;
    const current = () => {
      const log = server.requests();
      return log[log.length - 1];
    };
    const matcher = (method: string, path: string) => {
      if (!active || this.#done) return false;
      const req = current();
      if (!req || req.method !== method || req.path !== path || !match(req)) return false;
      active = false;
      if (opts.hang) opts.onHang?.(req);
      this.kill(`${what}${opts.hang ? " (in flight, not applied)" : " (applied, not acknowledged)"}`);
      return opts.hang === true;
    };
    // `respondWith` entries are consulted in order; this one only ever "matches" to hang.
    server.timeoutNext(1_000_000, matcher);
    this.#stops.push(() => {
      active = false;
      server.clearFaults();
    });
  }
}

/** SCIM user ids a PATCH body adds or removes. */
export function patchMembers(body: unknown): { add: string[]; remove: string[] } {
  const out = { add: [] as string[], remove: [] as string[] };
  const ops = (body as { Operations?: Array<{ op?: string; path?: string; value?: unknown }> } | undefined)?.Operations ?? [];
  for (const op of ops) {
    const kind = String(op.op ?? "").toLowerCase();
    const ids: string[] = [];
    if (Array.isArray(op.value)) for (const v of op.value) if (v && typeof (v as { value?: unknown }).value === "string") ids.push((v as { value: string }).value);
    for (const m of String(op.path ?? "").matchAll(/value eq "((?:[^"\\]|\\.)*)"/g)) ids.push(JSON.parse(`"${m[1]}"`) as string);
    if (kind === "add") out.add.push(...ids);
    if (kind === "remove") out.remove.push(...ids);
  }
  return out;
}
