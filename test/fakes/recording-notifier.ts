/**
 * A Notifier that records what grantbot would have said (CONVENTIONS.md §10), for service tests
 * that do not need the fake Slack. `unreachable` emails have no Slack user (send returns null).
 */
import type { Grant } from "../../src/domain/grant.ts";
import type { MessageRef, Note, Notifier, Recipient } from "../../src/services/ports/index.ts";

export class RecordingNotifier implements Notifier {
  readonly sent: { to: Recipient; note: Note }[] = [];
  readonly opsNotes: Note[] = [];
  readonly redacted: string[] = [];
  readonly unreachable = new Set<string>();
  private seq = 0;

  async send(to: Recipient, note: Note): Promise<MessageRef | null> {
    if (this.unreachable.has(to.email)) return null;
    this.sent.push({ to, note });
    return { channel: `D-${to.email}`, ts: String(++this.seq) };
  }

  async redactCredential(_ref: MessageRef, grant: Grant): Promise<void> {
    this.redacted.push(grant.id);
  }

  readonly replaced: { ref: MessageRef; note: Note }[] = [];

  async replace(ref: MessageRef, note: Note): Promise<void> {
    this.replaced.push({ ref, note });
  }

  async ops(note: Note): Promise<void> {
    this.opsNotes.push(note);
  }

  readonly channelNotes: { channel: string; note: Note }[] = [];

  async toChannel(channel: string, note: Note): Promise<MessageRef> {
    this.channelNotes.push({ channel, note });
    return { channel, ts: String(++this.seq) };
  }

  /** Notes sent to one email, optionally of one kind. */
  to(email: string, kind?: Note["kind"]): Note[] {
    return this.sent.filter((s) => s.to.email === email && (kind === undefined || s.note.kind === kind)).map((s) => s.note);
  }
}
