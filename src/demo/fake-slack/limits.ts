/**
 * The Slack limits grantbot can run into, checked the way Slack checks them, so a view that
 * Slack would reject fails in tests too. Numbers from docs.slack.dev (Block Kit reference,
 * chat.postMessage, views.open/publish). Each problem is reported like Slack's
 * `response_metadata.messages`: "[ERROR] <what> [json-pointer:<where>]".
 */

export const LIMITS = {
  messageText: 40_000,
  messageBlocks: 50,
  modalBlocks: 100,
  homeBlocks: 100,
  modalTitle: 24,
  modalButton: 24,
  callbackId: 255,
  privateMetadata: 3000,
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  inputLabel: 2000,
  plainTextInputMax: 3000,
} as const;

const BLOCK_TYPES = new Set([
  "section", "header", "divider", "context", "actions", "input", "image", "rich_text", "markdown", "file", "video",
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string | null => (isObj(v) && typeof v.text === "string" ? v.text : null);

/** Problems with message blocks (chat.postMessage / chat.update / chat.postEphemeral). */
export function messageProblems(text: unknown, blocks: unknown): string[] {
  const problems: string[] = [];
  if (typeof text === "string" && text.length > LIMITS.messageText) problems.push("[ERROR] msg_too_long");
  if (blocks !== undefined) problems.push(...blockProblems(blocks, LIMITS.messageBlocks, "/blocks"));
  return problems;
}

/** Problems with a view (views.open / views.publish / views.update). */
export function viewProblems(view: unknown, expectedType?: "modal" | "home"): string[] {
  if (!isObj(view)) return ["[ERROR] view must be an object [json-pointer:/view]"];
  const problems: string[] = [];
  const type = view.type;
  if (type !== "modal" && type !== "home") problems.push("[ERROR] unsupported type [json-pointer:/view/type]");
  if (expectedType && type !== expectedType) problems.push(`[ERROR] must be ${expectedType} [json-pointer:/view/type]`);
  if (type === "modal") {
    const title = textOf(view.title);
    if (title === null || title.length === 0) problems.push("[ERROR] missing required field: title [json-pointer:/view/title]");
    else if (title.length > LIMITS.modalTitle) problems.push(tooLong(LIMITS.modalTitle, "/view/title/text"));
    for (const key of ["submit", "close"] as const) {
      const t = view[key] === undefined ? null : textOf(view[key]);
      if (t !== null && t.length > LIMITS.modalButton) problems.push(tooLong(LIMITS.modalButton, `/view/${key}/text`));
    }
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === "input");
    if (hasInput && view.submit === undefined) {
      problems.push("[ERROR] a view with input blocks requires submit [json-pointer:/view/submit]");
    }
  }
  if (typeof view.callback_id === "string" && view.callback_id.length > LIMITS.callbackId) {
    problems.push(tooLong(LIMITS.callbackId, "/view/callback_id"));
  }
  if (typeof view.private_metadata === "string" && view.private_metadata.length > LIMITS.privateMetadata) {
    problems.push(tooLong(LIMITS.privateMetadata, "/view/private_metadata"));
  }
  const max = type === "home" ? LIMITS.homeBlocks : LIMITS.modalBlocks;
  problems.push(...blockProblems(view.blocks ?? [], max, "/view/blocks"));
  return problems;
}

function blockProblems(blocks: unknown, max: number, at: string): string[] {
  if (!Array.isArray(blocks)) return [`[ERROR] must be an array [json-pointer:${at}]`];
  const problems: string[] = [];
  if (blocks.length > max) problems.push(`[ERROR] no more than ${max} items allowed [json-pointer:${at}]`);
  blocks.forEach((block, i) => problems.push(...oneBlock(block, `${at}/${i}`)));
  return problems;
}

function oneBlock(block: unknown, at: string): string[] {
  if (!isObj(block) || typeof block.type !== "string" || !BLOCK_TYPES.has(block.type)) {
    return [`[ERROR] invalid block type [json-pointer:${at}/type]`];
  }
  const p: string[] = [];
  if (typeof block.block_id === "string" && block.block_id.length > LIMITS.blockId) p.push(tooLong(LIMITS.blockId, `${at}/block_id`));
  switch (block.type) {
    case "section": {
      const text = textOf(block.text);
      const fields = Array.isArray(block.fields) ? block.fields : [];
      if (text === null && fields.length === 0) p.push(`[ERROR] must provide text or fields [json-pointer:${at}]`);
      if (text !== null && text.length > LIMITS.sectionText) p.push(tooLong(LIMITS.sectionText, `${at}/text/text`));
      if (fields.length > LIMITS.sectionFields) p.push(`[ERROR] no more than 10 items allowed [json-pointer:${at}/fields]`);
      fields.forEach((f, i) => {
        if ((textOf(f)?.length ?? 0) > LIMITS.sectionFieldText) p.push(tooLong(LIMITS.sectionFieldText, `${at}/fields/${i}/text`));
      });
      if (block.accessory !== undefined) p.push(...element(block.accessory, `${at}/accessory`));
      break;
    }
    case "header": {
      const text = textOf(block.text);
      if (text === null) p.push(`[ERROR] missing required field: text [json-pointer:${at}/text]`);
      else if (text.length > LIMITS.headerText) p.push(tooLong(LIMITS.headerText, `${at}/text/text`));
      break;
    }
    case "context":
    case "actions": {
      const elements = Array.isArray(block.elements) ? block.elements : null;
      const max = block.type === "context" ? LIMITS.contextElements : LIMITS.actionsElements;
      if (elements === null || elements.length === 0) p.push(`[ERROR] missing required field: elements [json-pointer:${at}/elements]`);
      else if (elements.length > max) p.push(`[ERROR] no more than ${max} items allowed [json-pointer:${at}/elements]`);
      if (block.type === "actions") elements?.forEach((e, i) => p.push(...element(e, `${at}/elements/${i}`)));
      break;
    }
    case "input": {
      const label = textOf(block.label);
      if (label === null) p.push(`[ERROR] missing required field: label [json-pointer:${at}/label]`);
      else if (label.length > LIMITS.inputLabel) p.push(tooLong(LIMITS.inputLabel, `${at}/label/text`));
      if (!isObj(block.element)) p.push(`[ERROR] missing required field: element [json-pointer:${at}/element]`);
      else p.push(...element(block.element, `${at}/element`));
      break;
    }
  }
  return p;
}

function element(el: unknown, at: string): string[] {
  if (!isObj(el) || typeof el.type !== "string") return [`[ERROR] invalid element [json-pointer:${at}]`];
  const p: string[] = [];
  if (typeof el.action_id === "string" && el.action_id.length > LIMITS.actionId) p.push(tooLong(LIMITS.actionId, `${at}/action_id`));
  if (el.type === "button") {
    const text = textOf(el.text);
    if (text === null) p.push(`[ERROR] missing required field: text [json-pointer:${at}/text]`);
    else if (text.length > LIMITS.buttonText) p.push(tooLong(LIMITS.buttonText, `${at}/text/text`));
    if (typeof el.value === "string" && el.value.length > LIMITS.buttonValue) p.push(tooLong(LIMITS.buttonValue, `${at}/value`));
  }
  if (el.type === "plain_text_input" && typeof el.max_length === "number" && el.max_length > LIMITS.plainTextInputMax) {
    p.push(`[ERROR] max_length must be at most ${LIMITS.plainTextInputMax} [json-pointer:${at}/max_length]`);
  }
  return p;
}

function tooLong(max: number, at: string): string {
  return `[ERROR] must be less than ${max + 1} characters [json-pointer:${at}]`;
}
