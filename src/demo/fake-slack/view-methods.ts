/** views.open / views.publish / views.update, with Slack's checks (limits, trigger reuse, hash). */
import { viewProblems } from "./limits.ts";
import { fail, type MethodContext, type MethodHandler, type MethodResult } from "./protocol.ts";
import type { FakeView } from "./state.ts";

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function viewJson(v: FakeView, ctx: MethodContext): Record<string, unknown> {
  return {
    ...v.view,
    id: v.id,
    team_id: ctx.teamId,
    type: v.type,
    blocks: v.view.blocks ?? [],
    private_metadata: v.view.private_metadata ?? "",
    callback_id: v.view.callback_id ?? "",
    external_id: v.externalId ?? "",
    state: { values: {} },
    hash: v.hash,
    root_view_id: v.id,
    previous_view_id: null,
    app_id: "A0FAKEAPP01",
    bot_id: ctx.botId,
  };
}

function checked(view: unknown, type?: "modal" | "home"): MethodResult | Record<string, unknown> {
  const problems = viewProblems(view, type);
  return problems.length > 0 ? fail("invalid_arguments", problems) : (view as Record<string, unknown>);
}

function store(ctx: MethodContext, existing: FakeView | undefined, fields: Omit<FakeView, "id" | "hash" | "history">): FakeView {
  const view: FakeView = {
    ...fields,
    id: existing?.id ?? ctx.state.nextId("V"),
    hash: `${Math.floor(ctx.now / 1000)}.${ctx.state.nextId("h")}`,
    history: [...(existing?.history ?? []), fields.view],
  };
  ctx.state.views.set(view.id, view);
  return view;
}

export const viewMethods: Record<string, MethodHandler> = {
  "views.open": (args, ctx) => {
    const triggerId = str(args.trigger_id);
    if (triggerId === undefined) return fail("invalid_arguments", ["[ERROR] missing required field: trigger_id"]);
    if (ctx.state.usedTriggers.has(triggerId)) return fail("exchanged_trigger_id");
    const view = checked(args.view, "modal");
    if (view.ok === false) return view as MethodResult;
    ctx.state.usedTriggers.add(triggerId);
    const stored = store(ctx, undefined, {
      type: "modal", userId: null, triggerId, externalId: str(view.external_id) ?? null,
      callbackId: str(view.callback_id) ?? null, view,
    });
    return { ok: true, view: viewJson(stored, ctx) };
  },

  "views.publish": (args, ctx) => {
    const userId = str(args.user_id);
    if (userId === undefined || !ctx.state.users.has(userId)) return fail("user_not_found");
    const view = checked(args.view, "home");
    if (view.ok === false) return view as MethodResult;
    const existing = [...ctx.state.views.values()].find((v) => v.type === "home" && v.userId === userId);
    if (typeof args.hash === "string" && existing && args.hash !== existing.hash) return fail("hash_conflict");
    const stored = store(ctx, existing, {
      type: "home", userId, triggerId: null, externalId: str(view.external_id) ?? null,
      callbackId: str(view.callback_id) ?? null, view,
    });
    return { ok: true, view: viewJson(stored, ctx) };
  },

  "views.update": (args, ctx) => {
    const viewId = str(args.view_id);
    const externalId = str(args.external_id);
    if (viewId === undefined && externalId === undefined) return fail("invalid_arguments", ["[ERROR] view_id or external_id required"]);
    const existing = viewId !== undefined
      ? ctx.state.views.get(viewId)
      : [...ctx.state.views.values()].find((v) => v.externalId === externalId);
    if (existing === undefined) return fail("not_found");
    if (typeof args.hash === "string" && args.hash !== existing.hash) return fail("hash_conflict");
    if (!isObj(args.view)) return fail("invalid_arguments", ["[ERROR] missing required field: view"]);
    const view = checked(args.view, existing.type);
    if (view.ok === false) return view as MethodResult;
    const stored = store(ctx, existing, {
      type: existing.type, userId: existing.userId, triggerId: existing.triggerId,
      externalId: str(view.external_id) ?? existing.externalId, callbackId: str(view.callback_id) ?? null, view,
    });
    return { ok: true, view: viewJson(stored, ctx) };
  },
};
