/**
 * A real SCIM 2.0 service provider for tests: scimmy + scimmy-routers on express, bound to
 * 127.0.0.1:0, bearer-token auth, in-memory users and groups. Fixes the scimmy deviations listed
 * in SCIM-NOTES.md (see store.ts, filtering.ts, scimmy-handlers.ts, protocol.ts) and offers a
 * TypeScript test-control API: seeding, out-of-band drift, request log, failure injection.
 *
 * `{ profile: "aws-identity-center" }` emulates AWS quirks: empty `members` from GET /Groups,
 * membership via `filter=id eq "G" and members eq "U"`, eq/and-only filters, cursor paging,
 * 204 on PATCH, remove with `{"path":"members","value":[{"value":"U"}]}`, no "remove all".
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express, { type Request } from "express";
import SCIMMYRouters from "scimmy-routers";
import { FaultInjector, type CannedReply, type FailSpec, type RecordedRequest, type RequestMatcher } from "./faults.ts";
import { patchLies, type PatchForm, type ScimLies } from "./lies.ts";
import { protocolMiddleware } from "./protocol.ts";
import { declareScimResources, type HandlerContext, type ServerProfile } from "./scimmy-handlers.ts";
import { ScimStore, type FakeUser } from "./store.ts";

export type { CannedReply, FailSpec, PatchForm, RecordedRequest, RequestMatcher, ScimLies, ServerProfile };

export interface ScimTestServerOptions {
  token?: string;
  profile?: ServerProfile;
  /** Largest page the server returns (default 50). */
  pageSize?: number;
  /** Added latency per request, in ms. */
  rttMs?: number;
  /** Lies seen in the wild, switched on (see lies.ts); changeable later with `lies`. */
  lies?: ScimLies;
}

export interface NewUser {
  userName: string;
  active?: boolean;
  /** The manager's userName or id. */
  manager?: string;
  displayName?: string;
  /** displayNames of groups to join (created when missing). */
  groups?: string[];
}

interface ServerState {
  store: ScimStore;
  profile: ServerProfile;
  pageSize: number;
  lies: ScimLies;
}

export class ScimTestServer {
  readonly store: ScimStore;

  private constructor(
    private readonly server: Server,
    readonly token: string,
    private readonly state: ServerState,
    private readonly faults: FaultInjector,
  ) {
    this.store = state.store;
  }

  static async start(options: ScimTestServerOptions = {}): Promise<ScimTestServer> {
    declareScimResources();
    const token = options.token ?? `scim-test-token-${Math.random().toString(36).slice(2)}`;
    const state: ServerState = {
      store: new ScimStore(),
      profile: options.profile ?? "generic",
      pageSize: options.pageSize ?? 50,
      lies: options.lies ?? {},
    };
    const contexts = new WeakMap<Request, HandlerContext>();
    const faults = new FaultInjector();
    faults.rttMs = options.rttMs ?? 0;

    const scim = express.Router();
    scim.use(faults.middleware());
    scim.use(patchLies(state));
    scim.use(protocolMiddleware(state, contexts));
    scim.use(
      new SCIMMYRouters({
        type: "bearer",
        handler: (req) => {
          if (req.header("authorization") !== `Bearer ${token}`) throw new Error("Bearer token missing or invalid");
          return "scim-test-client";
        },
        context: (req) => contexts.get(req),
      }),
    );
    const app = express();
    app.use(express.json({ type: ["application/scim+json", "application/json"] }));
    app.use("/scim/v2", scim);

    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    return new ScimTestServer(server, token, state, faults);
  }

  get profile(): ServerProfile {
    return this.state.profile;
  }

  /** SCIM base URL, e.g. `http://127.0.0.1:1234/scim/v2`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/scim/v2`;
  }

  get rttMs(): number {
    return this.faults.rttMs;
  }
  set rttMs(ms: number) {
    this.faults.rttMs = ms;
  }
  /** The lies switched on (none by default); assign to change them. */
  get lies(): ScimLies {
    return this.state.lies;
  }
  set lies(lies: ScimLies) {
    this.state.lies = lies;
  }
  /** Most requests the server had in flight at once since start or resetInFlight(). */
  get maxInFlight(): number {
    return this.faults.maxInFlight;
  }
  resetInFlight(): void {
    this.faults.maxInFlight = this.faults.inFlight;
  }
  get pageSize(): number {
    return this.state.pageSize;
  }
  set pageSize(n: number) {
    this.state.pageSize = n;
  }

  createUser(input: NewUser): { id: string; userName: string } {
    const user: FakeUser = { id: this.store.newId("u"), userName: input.userName, active: input.active ?? true };
    if (input.displayName !== undefined) user.displayName = input.displayName;
    if (input.manager !== undefined) user.managerId = this.store.resolveUser(input.manager)?.id ?? input.manager;
    this.store.saveUser(user);
    for (const name of input.groups ?? []) {
      const group = this.store.groupByName(name) ?? this.store.saveGroup({ id: this.store.newId("g"), displayName: name, members: [] });
      this.store.saveGroup({ ...group, members: [...group.members, user.id] });
    }
    return { id: user.id, userName: user.userName };
  }

  /** `members`: user ids or userNames. */
  createGroup(displayName: string, members: string[] = []): { id: string; displayName: string } {
    const ids = members.map((m) => this.store.requireUser(m).id);
    const group = this.store.saveGroup({ id: this.store.newId("g"), displayName, members: ids });
    return { id: group.id, displayName };
  }

  /** userNames of the group's members, in membership order. */
  members(groupDisplayName: string): string[] {
    return this.store
      .requireGroup(groupDisplayName)
      .members.map((id) => this.store.users.get(id)?.userName)
      .filter((n): n is string => n !== undefined);
  }

  setActive(userName: string, active: boolean): void {
    this.store.requireUser(userName).active = active;
  }

  deleteUser(userName: string): void {
    this.store.deleteUser(this.store.requireUser(userName).id);
  }

  deleteGroup(displayName: string): void {
    this.store.deleteGroup(this.store.requireGroup(displayName).id);
  }

  /** Out-of-band drift: someone else changed the group. */
  addMemberDirectly(groupDisplayName: string, userName: string): void {
    const group = this.store.requireGroup(groupDisplayName);
    this.store.saveGroup({ ...group, members: [...group.members, this.store.requireUser(userName).id] });
  }

  removeMemberDirectly(groupDisplayName: string, userName: string): void {
    const group = this.store.requireGroup(groupDisplayName);
    const id = this.store.requireUser(userName).id;
    this.store.saveGroup({ ...group, members: group.members.filter((m) => m !== id) });
  }

  requests(): RecordedRequest[] {
    return [...this.faults.log];
  }

  /** PATCH requests sent to the group (all groups when omitted). */
  patchCount(groupDisplayName?: string): number {
    const id = groupDisplayName === undefined ? null : this.store.requireGroup(groupDisplayName).id;
    return this.faults.log.filter(
      (r) => r.method === "PATCH" && r.path.startsWith("/Groups/") && (id === null || r.path === `/Groups/${id}`),
    ).length;
  }

  clearRequests(): void {
    this.faults.log.length = 0;
  }

  failWith(spec: FailSpec): void {
    this.faults.failWith(spec);
  }

  /** Any canned reply, e.g. a malformed body: `respondWith({ status: 200, body: "{not json" })`. */
  respondWith(reply: CannedReply): void {
    this.faults.respondWith(reply);
  }

  /** The next `n` matching requests hang until the client times out. */
  timeoutNext(n = 1, match?: RequestMatcher): void {
    this.faults.timeoutNext(n, match);
  }

  /** Drops pending injected faults. */
  clearFaults(): void {
    this.faults.clear();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

export function startScimServer(options?: ScimTestServerOptions): Promise<ScimTestServer> {
  return ScimTestServer.start(options);
}
