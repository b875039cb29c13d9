/**
 * The PatchOp forms a membership change can take, in the order grantbot tries them, and the
 * per-target memory of which one works.
 *
 * Providers answer 2xx to forms they do not apply (seen in the wild: 204 to a remove whose path
 * is `members[value eq "a" or value eq "b"]`, nothing removed). A change is therefore read back;
 * when the read-back shows it did not take effect, the next, safer form is tried, and the form
 * that worked is remembered for the target (membership-changes.ts). Remove forms, fastest first:
 * - `or-filter`: one op `members[value eq "A" or value eq "B"]` per PATCH (RFC 7644 §3.5.2.2);
 * - `value-filter`: one op `members[value eq "A"]` per member, all in one PATCH;
 * - `value-filter-each`: the same op, one PATCH per member;
 * - `members-value`: one op `{"path":"members","value":[{"value":"A"}]}` per member, one PATCH
 *   (the AWS shape; still a concrete id, never the filterless "remove everyone");
 * - `members-value-each`: the same op, one PATCH per member.
 * Profiles whose own shape is `members-value` (AWS) start there and try the filter forms last.
 * Add forms: `members-path` (`{"op":"add","path":"members","value":[...]}`), then `no-path`
 * (`{"op":"add","value":{"members":[...]}}`, RFC 7644 §3.5.2.1).
 */
import {
  addMemberOperation,
  addMemberWithoutPathOperation,
  assertConcreteId,
  patchBody,
  removeMembersOperation,
  removeOperation,
  type PatchOperation,
  type ScimProfile,
} from "./profiles.ts";

export type RemoveForm = "or-filter" | "value-filter" | "value-filter-each" | "members-value" | "members-value-each";
export type AddForm = "members-path" | "no-path";

export const ADD_FORMS: readonly AddForm[] = ["members-path", "no-path"];

/** The remove forms in the order they are tried on this profile. */
export function removeForms(profile: ScimProfile): readonly RemoveForm[] {
  return profile.removeShape === "members-value"
    ? ["members-value", "members-value-each", "value-filter", "value-filter-each"]
    : ["or-filter", "value-filter", "value-filter-each", "members-value", "members-value-each"];
}

/** One PATCH of a form: the members it concerns and its body. */
export interface FormRequest {
  ids: string[];
  body: Record<string, unknown>;
}

function chunks(ids: readonly string[], size: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

function removeOps(form: RemoveForm, ids: string[]): PatchOperation[] {
  if (form === "or-filter") return ids.length === 1 ? [removeOperation("value-path", ids[0]!)] : [removeMembersOperation(ids)];
  const shape = form.startsWith("members-value") ? "members-value" : "value-path";
  return ids.map((id) => removeOperation(shape, id));
}

/**
 * The PATCHes that remove `ids` in `form`: chunks of `profile.maxMembersPerPatch` members, or one
 * per member for the `-each` forms. Every id must be concrete (checked before anything is built).
 */
export function removeRequests(profile: ScimProfile, form: RemoveForm, ids: readonly string[]): FormRequest[] {
  for (const id of ids) assertConcreteId(id, "member id");
  const size = form.endsWith("-each") ? 1 : Math.max(1, profile.maxMembersPerPatch);
  return chunks(ids, size).map((chunk) => ({ ids: chunk, body: patchBody(profile, removeOps(form, chunk)) }));
}

export function addRequest(profile: ScimProfile, form: AddForm, userId: string): FormRequest {
  const op = form === "no-path" ? addMemberWithoutPathOperation(userId) : addMemberOperation(userId);
  return { ids: [userId], body: patchBody(profile, [op]) };
}

/**
 * Which form of one kind of change works on one target, in memory for the life of the client.
 * Calls start with the form that worked last and, when it does not take effect, try the others
 * in order (wrapping around, so a form credited by mistake — a slow read-back, say — is not
 * kept for good). `onSwitch` is called whenever another form starts working (the client logs it
 * for ops).
 */
export class FormMemory<F extends string> {
  #index = 0;

  constructor(
    readonly forms: readonly F[],
    private readonly onSwitch: (from: F, to: F) => void,
  ) {}

  get current(): F {
    return this.forms[this.#index]!;
  }

  /** Indexes of the forms to try, the remembered one first. */
  order(): number[] {
    return this.forms.map((_, i) => (this.#index + i) % this.forms.length);
  }

  /** The form at `index` took effect (read back): later calls start there. */
  worked(index: number): void {
    if (index === this.#index) return;
    const from = this.current;
    this.#index = index;
    this.onSwitch(from, this.current);
  }
}
