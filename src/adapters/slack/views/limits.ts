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
  /** Context block text element. */
  contextText: 3000,
  /** Header block text. */
  headerText: 150,
} as const;

export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${[...text].slice(0, limit - 1).join("")}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
