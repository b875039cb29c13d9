/** The `/access` request modal (pure Block Kit). */
import type { Catalog } from "../../../domain/grant-files.ts";
import { breakglassResources } from "../../../domain/breakglass.ts";
import { SLACK_LIMITS, clip } from "./limits.ts";

export const REQUEST_MODAL = {
  callbackId: "access_request",
  resourceBlock: "resource",
  resourceAction: "resource_select",
  durationBlock: "duration",
  durationAction: "duration_input",
  reasonBlock: "reason",
  reasonAction: "reason_input",
  /** Value prefix of the "Emergency" choices in the resource menu (resources that allow break-glass). */
  emergencyPrefix: "breakglass:",
} as const;

/** What the resource menu's value means: a resource, and whether its "Emergency" choice was picked. */
export function resourceChoice(value: string): { resource: string; emergency: boolean } {
  return value.startsWith(REQUEST_MODAL.emergencyPrefix) ? { resource: value.slice(REQUEST_MODAL.emergencyPrefix.length), emergency: true } : { resource: value, emergency: false };
}

/** What the form carries in `private_metadata`: set for an extension of a live grant. */
export interface RequestModalMetadata {
  extends?: string;
}

/**
 * The request form. With `extends`, it is the extension form of that grant: the resource is fixed
 * (shown, not selectable) and the duration and reason are prefilled.
 */
export function requestModal(catalog: Catalog, options: { resource?: string; duration?: string; reason?: string; extends?: string; note?: string } = {}): Record<string, unknown> {
  const entries = Object.entries(catalog.resources).slice(0, SLACK_LIMITS.selectOptions);
  const option = (id: string) => {
    const r = catalog.resources[id]!;
    return {
      text: { type: "plain_text", text: clip(id, SLACK_LIMITS.optionText) },
      description: { type: "plain_text", text: clip(`max ${r.duration.max} · ${r.description}`, SLACK_LIMITS.optionDescription) },
      value: id,
    };
  };
  // Resources that allow break-glass also appear, once more, as "Emergency" choices (only those).
  const emergencyIds = breakglassResources(catalog).slice(0, Math.max(0, SLACK_LIMITS.selectOptions - entries.length));
  const emergencyOption = (id: string) => {
    const b = catalog.resources[id]!.breakglass!;
    return {
      text: { type: "plain_text", text: clip(`🚨 ${id}`, SLACK_LIMITS.optionText) },
      description: { type: "plain_text", text: clip(`active now, max ${b.max} · reviewed within ${b.review_within}`, SLACK_LIMITS.optionDescription) },
      value: `${REQUEST_MODAL.emergencyPrefix}${id}`,
    };
  };
  const select: Record<string, unknown> = {
    type: "static_select",
    action_id: REQUEST_MODAL.resourceAction,
    placeholder: { type: "plain_text", text: "Choose a resource" },
    ...(emergencyIds.length === 0
      ? { options: entries.map(([id]) => option(id)) }
      : {
          option_groups: [
            { label: { type: "plain_text", text: "Request (reviewed before access)" }, options: entries.map(([id]) => option(id)) },
            { label: { type: "plain_text", text: "🚨 Emergency (break-glass, reviewed after)" }, options: emergencyIds.map(emergencyOption) },
          ],
        }),
  };
  if (options.resource && catalog.resources[options.resource]) select.initial_option = option(options.resource);
  const durationInput: Record<string, unknown> = {
    type: "plain_text_input",
    action_id: REQUEST_MODAL.durationAction,
    placeholder: { type: "plain_text", text: "e.g. 30m, 2h, 1d (empty = the resource's default)" },
  };
  if (options.duration) durationInput.initial_value = options.duration;
  const reasonInput: Record<string, unknown> = {
    type: "plain_text_input",
    action_id: REQUEST_MODAL.reasonAction,
    multiline: true,
    max_length: 1000,
    placeholder: { type: "plain_text", text: "Ticket or incident and what you will do" },
  };
  if (options.reason) reasonInput.initial_value = options.reason;
  return {
    type: "modal",
    callback_id: REQUEST_MODAL.callbackId,
    private_metadata: JSON.stringify(options.extends ? ({ extends: options.extends } satisfies RequestModalMetadata) : {}),
    title: { type: "plain_text", text: clip(options.extends ? "Extend access" : "Request access", SLACK_LIMITS.modalTitle) },
    submit: { type: "plain_text", text: "Open request" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      options.extends
        ? { type: "section", text: { type: "mrkdwn", text: clip(options.note ?? `Extending *${options.resource ?? "?"}*, grant \`${options.extends}\`.`, SLACK_LIMITS.sectionText) } }
        : { type: "input", block_id: REQUEST_MODAL.resourceBlock, label: { type: "plain_text", text: "Resource" }, element: select },
      { type: "input", block_id: REQUEST_MODAL.durationBlock, optional: true, label: { type: "plain_text", text: "For how long" }, element: durationInput },
      { type: "input", block_id: REQUEST_MODAL.reasonBlock, optional: true, label: { type: "plain_text", text: "Why" }, element: reasonInput },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: options.extends
              ? "grantbot opens a pull request marked as an extension; once it is approved and merged your access continues without a gap, for the new duration counted from the merge."
              : emergencyIds.length > 0
                ? "grantbot opens a pull request; access starts when it is approved and merged, and ends on its own. 🚨 Emergency choices (break-glass) give access at once and are reviewed afterwards: ops and your manager are alerted — use them only in an incident."
                : "grantbot opens a pull request; access starts when it is approved and merged, and ends on its own.",
          },
        ],
      },
    ],
  };
}

/** Reads the submitted values out of `view.state.values`; tolerant of missing blocks. */
export function readRequestModal(values: unknown): { resource: string; duration: string; reason: string } {
  const v = (values ?? {}) as Record<string, Record<string, { selected_option?: { value?: unknown } | null; value?: unknown } | undefined> | undefined>;
  // Only strings count: a submission with numbers or objects in these places reads as empty.
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  return {
    resource: text(v[REQUEST_MODAL.resourceBlock]?.[REQUEST_MODAL.resourceAction]?.selected_option?.value),
    duration: text(v[REQUEST_MODAL.durationBlock]?.[REQUEST_MODAL.durationAction]?.value),
    reason: text(v[REQUEST_MODAL.reasonBlock]?.[REQUEST_MODAL.reasonAction]?.value),
  };
}

/** Reads `private_metadata`; anything unparsable counts as a plain request. */
export function readRequestModalMetadata(text: string | undefined): RequestModalMetadata {
  try {
    const parsed = JSON.parse(text || "{}") as { extends?: unknown };
    return typeof parsed.extends === "string" && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(parsed.extends) ? { extends: parsed.extends } : {};
  } catch {
    return {};
  }
}
