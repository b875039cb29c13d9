/**
 * scimmy keeps its declared resources in module-global state, so the User (with the
 * EnterpriseUser extension, for `manager`) and Group resources are declared once per process and
 * their handlers dispatch to the server instance passed as scimmy's `ctx`. That lets several test
 * servers (e.g. a generic one and an AWS-profile one) run side by side.
 */
import SCIMMY from "scimmy";
import { compileFilter } from "./filtering.ts";
import type { ScimLies } from "./lies.ts";
import { ENTERPRISE_USER, StoreError, type FakeUser, type ScimStore } from "./store.ts";

export type ServerProfile = "generic" | "aws-identity-center";

/** What each request hands to the handlers (built by the server's context function). */
export interface HandlerContext {
  store: ScimStore;
  profile: ServerProfile;
  method: string;
  /** Decoded string literals of the request's filter (see filtering.ts). */
  literals: string[];
  /** Largest page the server returns, whatever `count` asks. */
  pageSize: number;
  lies: ScimLies;
}

type AnyResource = InstanceType<typeof SCIMMY.Types.Resource>;
type Rec = Record<string, unknown>;

/** scimmy's handler typings expect its schema classes; our handlers work on plain records. */
interface LooseResourceType {
  egress(handler: (resource: AnyResource, ctx: HandlerContext) => unknown): LooseResourceType;
  ingress(handler: (resource: AnyResource, instance: Rec, ctx: HandlerContext) => unknown): LooseResourceType;
  degress(handler: (resource: AnyResource, ctx: HandlerContext) => void): LooseResourceType;
}

function declare(resource: unknown): LooseResourceType {
  return SCIMMY.Resources.declare(resource as typeof SCIMMY.Types.Resource) as unknown as LooseResourceType;
}

function scimError(error: unknown): unknown {
  if (error instanceof StoreError) return new SCIMMY.Types.Error(error.status, error.scimType as string, error.message);
  return error;
}

function notFound(id: string): Error {
  return new SCIMMY.Types.Error(404, null as unknown as string, `Resource ${id} not found`);
}

/**
 * Filters the full list itself (scimmy leaves filtering to egress) and caps the page size.
 * scimmy pages the returned list afterwards, but with a startIndex past the end it returns the
 * FIRST page again: answer an empty page with the true totalResults instead.
 */
function listPage(resource: AnyResource, all: Rec[], ctx: HandlerContext): Rec[] {
  const omitted = new Set((ctx.lies.omitFromLists ?? []).map((n) => n.toLowerCase()));
  const records = omitted.size === 0 ? all : all.filter((r) => typeof r.userName !== "string" || !omitted.has(r.userName.toLowerCase()));
  const matches = resource.filter
    ? records.filter(
        compileFilter(resource.filter, {
          literals: ctx.literals,
          membersEqMeansValue: ctx.profile === "aws-identity-center",
        }),
      )
    : records;
  const constraints = { ...(resource.constraints ?? {}) } as Rec;
  constraints.count = Math.min(Number(constraints.count ?? ctx.pageSize), ctx.pageSize);
  resource.constraints = constraints;
  const start = Number(constraints.startIndex ?? 1);
  if (start > matches.length) {
    constraints.totalResults = matches.length;
    return [];
  }
  // Hand scimmy only the page when it will not page again (it re-slices only when startIndex <=
  // the list's length): it coerces every record it is given, which with 10,000 users makes each
  // page cost seconds. The answer is the same either way.
  const count = Number(constraints.count);
  if (matches.length > count && (start === 1 || start > count)) {
    constraints.totalResults = matches.length;
    return matches.slice(start - 1, start - 1 + count);
  }
  return matches;
}

let declared = false;

export function declareScimResources(): void {
  if (declared) return;
  declared = true;

  declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false))
    .egress((resource: AnyResource, ctx: HandlerContext) => {
      const { store } = ctx;
      if (resource.id) {
        const user = store.users.get(resource.id);
        if (!user) throw notFound(resource.id);
        return store.userRecord(user);
      }
      const index = store.membershipIndex();
      return listPage(resource, [...store.users.values()].map((u) => store.userRecord(u, index)), ctx);
    })
    .ingress((resource: AnyResource, instance: Rec, ctx: HandlerContext) => {
      const { store } = ctx;
      if (resource.id && !store.users.has(resource.id)) throw notFound(resource.id);
      const enterprise = instance[ENTERPRISE_USER] as { manager?: { value?: string } } | undefined;
      const user: FakeUser = {
        id: resource.id ?? store.newId("u"),
        userName: String(instance.userName),
        active: instance.active === undefined ? true : Boolean(instance.active),
      };
      if (typeof instance.displayName === "string") user.displayName = instance.displayName;
      if (typeof instance.externalId === "string") user.externalId = instance.externalId;
      if (Array.isArray(instance.emails)) user.emails = instance.emails as FakeUser["emails"];
      if (enterprise?.manager?.value) user.managerId = enterprise.manager.value;
      try {
        return store.userRecord(store.saveUser(user));
      } catch (error) {
        throw scimError(error);
      }
    })
    .degress((resource: AnyResource, ctx: HandlerContext) => {
      try {
        ctx.store.deleteUser(String(resource.id));
      } catch (error) {
        throw scimError(error);
      }
    });

  declare(SCIMMY.Resources.Group)
    .egress((resource: AnyResource, ctx: HandlerContext) => {
      const { store } = ctx;
      // AWS returns empty `members` from GetGroup/ListGroups; a PATCH still sees the real ones.
      const hideMembers = ctx.profile === "aws-identity-center" && ctx.method === "GET";
      if (resource.id) {
        const group = store.groups.get(resource.id);
        if (!group) throw notFound(resource.id);
        return store.groupRecord(group, !hideMembers);
      }
      const page = listPage(resource, [...store.groups.values()].map((g) => store.groupRecord(g)), ctx);
      return hideMembers ? page.map((g) => ({ ...g, members: [] })) : page;
    })
    .ingress((resource: AnyResource, instance: Rec, ctx: HandlerContext) => {
      const { store } = ctx;
      if (resource.id && !store.groups.has(resource.id)) throw notFound(resource.id);
      const members = ((instance.members as { value?: string }[] | undefined) ?? [])
        .map((m) => m.value)
        .filter((v): v is string => typeof v === "string");
      try {
        const saved = store.saveGroup({
          id: resource.id ?? store.newId("g"),
          displayName: String(instance.displayName),
          members,
        });
        return store.groupRecord(saved);
      } catch (error) {
        throw scimError(error);
      }
    })
    .degress((resource: AnyResource, ctx: HandlerContext) => {
      try {
        ctx.store.deleteGroup(String(resource.id));
      } catch (error) {
        throw scimError(error);
      }
    });
}
