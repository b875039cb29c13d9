/** Slack's published limits (Block Kit reference) that the views truncate to. */
export const SLACK_LIMITS = {
  /** `text` of a section block. */
  sectionText: 3000,
  /** Top-level message `text`. */
  messageText: 40_000,
  /** plain_text of an option. */
  optionText: 75,
  /** description of an option. */
  optionDescription: 75,
  /** options in a static_select. */
  selectOptions: 100,
  /** blocks in a message. */
  messageBlocks: 50,
  /** blocks in a modal or Home tab. */
  viewBlocks: 100,
  /** Modal title. */
  modalTitle: 24,
  /** Button text. */
  buttonText: 75,
  /** Button value (we put a grant id there). */
  buttonValue: 2000,
  /** Context block text element. */
  contextText: 3000,
  /** Elements in one context block. */
  contextElements: 10,
  /** Elements in one actions block. */
  actionsElements: 25,
  /** Header block text. */
  headerText: 150,
  /** Fields in one section block, and the text of each. */
  sectionFields: 10,
  sectionFieldText: 2000,
  /** block_id and action_id. */
  blockId: 255,
  /** Text of a confirm dialog (title 100, text 300, buttons 30). */
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** private_metadata of a view. */
  privateMetadata: 3000,
} as const;

/**
 * Cuts `text` to at most `limit` UTF-16 units (how Slack and JSON count), ending with "…" when
 * cut, and never splitting a surrogate pair (an emoji is dropped whole, not halved).
 */
export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = Math.max(0, limit - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
