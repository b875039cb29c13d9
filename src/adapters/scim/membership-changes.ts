/**
 * Membership changes that are read back, with fallback to safer PatchOp forms (member-forms.ts).
 *
 * A 2xx is not proof: after the PATCHes of a form, the group is read back. When the change did
 * not take effect, the next form is tried for the members still wrong; the form that worked is
 * remembered for the target. A 400 other than `noTarget` (the form is not supported) also moves
 * on. When a honest server takes the remembered form, a change costs one PATCH (per chunk) and
 * one read-back, as before.
 *
 * `noTarget` (RFC 7644 §3.5.2: the filter matched no member) means "already absent": in a
 * multi-op PATCH, which is atomic, one absent member fails the whole PATCH, so its members are
 * then removed one by one in the same shape.
 */
import type { Log } from "../../services/ports/index.ts";
import { ADD_FORMS, addRequest, FormMemory, removeForms, removeRequests, type AddForm, type FormRequest, type RemoveForm } from "./member-forms.ts";
import type { ScimProfile } from "./profiles.ts";
import { ScimTargetError } from "./scim-errors.ts";

export type ScimLog = Pick<Log, "warn" | "error">;

export interface ChangeContext {
  target: string;
  profile: ScimProfile;
  /** PATCH /Groups/{groupId}; throws ScimTargetError for non-2xx. */
  patch(groupId: string, body: Record<string, unknown>): Promise<void>;
  /** Reads the target: which of `ids` are members of the group now. */
  stillMembers(groupId: string, ids: readonly string[]): Promise<Set<string>>;
  log: ScimLog | undefined;
}

function isNoTarget(error: unknown): boolean {
  return error instanceof ScimTargetError && error.status === 400 && error.scimType === "noTarget";
}

/** A 400 other than noTarget: the provider does not take this form. */
function isFormRejected(error: unknown): error is ScimTargetError {
  return error instanceof ScimTargetError && error.status === 400 && error.scimType !== "noTarget";
}

async function sendRemoves(ctx: ChangeContext, form: RemoveForm, groupId: string, requests: FormRequest[]): Promise<void> {
  for (const request of requests) {
    try {
      await ctx.patch(groupId, request.body);
    } catch (error) {
      if (!isNoTarget(error)) throw error;
      // or-filter: none of them was a member. One member: it was not. Several ops: retry singly.
      if (form === "or-filter" || request.ids.length === 1) continue;
      for (const id of request.ids) {
        try {
          await ctx.patch(groupId, removeRequests(ctx.profile, form, [id])[0]!.body);
        } catch (inner) {
          if (!isNoTarget(inner)) throw inner;
        }
      }
    }
  }
}

/**
 * Removes `ids` from the group and reads it back, falling back through the remove forms while
 * the read-back shows members still there. Resolves with the ids still members after the last
 * form tried: empty on success, non-empty only when every form was answered 2xx and ignored
 * (the caller reports them as `target_unavailable`). Throws the first 400 when every form was
 * refused, and any other error at once.
 */
export async function removeAndReadBack(ctx: ChangeContext, memory: FormMemory<RemoveForm>, groupId: string, ids: readonly string[]): Promise<Set<string>> {
  let remaining = [...new Set(ids)];
  const plans = new Set<string>();
  let refused: ScimTargetError | null = null;
  let ignoredBy: RemoveForm | null = null;
  for (const i of memory.order()) {
    const form = memory.forms[i]!;
    const requests = removeRequests(ctx.profile, form, remaining);
    // For these members this form may send exactly what an earlier one sent (one member: or-filter = value-filter).
    const plan = JSON.stringify(requests.map((r) => r.body));
    if (plans.has(plan)) continue;
    plans.add(plan);
    try {
      await sendRemoves(ctx, form, groupId, requests);
    } catch (error) {
      if (!isFormRejected(error)) throw error;
      refused ??= error;
      continue;
    }
    const still = await ctx.stillMembers(groupId, remaining);
    if (still.size === 0) {
      memory.worked(i);
      return still;
    }
    ignoredBy = form;
    ctx.log?.warn({ target: ctx.target, form, groupId, stillMembers: still.size, of: remaining.length }, "SCIM target answered 2xx to a member removal it did not apply; trying another form");
    remaining = remaining.filter((id) => still.has(id));
  }
  if (ignoredBy === null && refused) throw refused;
  ctx.log?.error({ target: ctx.target, groupId, stillMembers: remaining.length, lastForm: ignoredBy }, "SCIM target applied no form of member removal");
  return new Set(remaining);
}

/**
 * Adds the member and reads it back, falling back to the path-less add when a 2xx was not
 * applied. A 409 counts as success when the user is a member. Throws `target_unavailable` when
 * every form was answered 2xx and ignored, the first 400 when every form was refused.
 */
export async function addAndReadBack(ctx: ChangeContext, memory: FormMemory<AddForm>, groupId: string, userId: string): Promise<void> {
  let refused: ScimTargetError | null = null;
  let ignored = false;
  for (const i of memory.order()) {
    const form = memory.forms[i]!;
    try {
      await ctx.patch(groupId, addRequest(ctx.profile, form, userId).body);
    } catch (error) {
      if (error instanceof ScimTargetError && error.status === 409) {
        if ((await ctx.stillMembers(groupId, [userId])).size === 1) return;
        throw error;
      }
      if (!isFormRejected(error)) throw error;
      refused ??= error;
      continue;
    }
    if ((await ctx.stillMembers(groupId, [userId])).size === 1) {
      memory.worked(i);
      return;
    }
    ignored = true;
    ctx.log?.warn({ target: ctx.target, form, groupId }, "SCIM target answered 2xx to a member add it did not apply; trying another form");
  }
  if (!ignored && refused) throw refused;
  throw new ScimTargetError("target_unavailable", `SCIM target ${ctx.target}: answered 2xx to every form of member add, but the member does not show on read-back (PATCH /Groups/${groupId})`, { target: ctx.target, request: `PATCH /Groups/${groupId}` });
}

/** The change forms of one target: what the client calls. The memory lives as long as it does. */
export class MembershipChanges {
  readonly #ctx: ChangeContext;
  readonly #removeForms: FormMemory<RemoveForm>;
  readonly #addForms: FormMemory<AddForm>;

  constructor(ctx: ChangeContext) {
    this.#ctx = ctx;
    const switched = (kind: string) => (from: string, to: string) =>
      ctx.log?.warn({ target: ctx.target, kind, from, to }, "SCIM target ignores a membership change form; using another form from now on");
    this.#removeForms = new FormMemory(removeForms(ctx.profile), switched("remove"));
    this.#addForms = new FormMemory(ADD_FORMS, switched("add"));
  }

  /** The remove form calls start with (the one that worked last). */
  get removeForm(): RemoveForm {
    return this.#removeForms.current;
  }

  get addForm(): AddForm {
    return this.#addForms.current;
  }

  add(groupId: string, userId: string): Promise<void> {
    return addAndReadBack(this.#ctx, this.#addForms, groupId, userId);
  }

  remove(groupId: string, ids: readonly string[]): Promise<Set<string>> {
    return removeAndReadBack(this.#ctx, this.#removeForms, groupId, ids);
  }
}
