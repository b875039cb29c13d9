/**
 * Jobs that talk to people: DMs, the credential DM and its redaction, PR comments.
 * Rendered when sent, from the grant as it is then.
 */
import { LIVE_STATES, type Grant } from "../../domain/grant.ts";
import type { KindHandler } from "../jobs/typed-handler.ts";
import type { JobPayload } from "../jobs/kinds.ts";
import type { ServiceDeps } from "../deps.ts";
import type { Note, Recipient } from "../ports/index.ts";

function requesterOf(grant: Grant): Recipient {
  return { email: grant.requester, slackId: grant.requesterSlackId };
}

function noteFor(grant: Grant, payload: JobPayload<"notify">): Note | null {
  const message = payload.message ?? grant.endReason ?? "";
  switch (payload.note) {
    case "request_opened":
      return { kind: "request_opened", grant };
    case "request_failed":
      return { kind: "request_failed", grant, message };
    case "declined":
      return { kind: "declined", grant };
    case "rejected":
      return { kind: "rejected", grant, message };
    case "ended":
      return { kind: "ended", grant, reason: payload.reason ?? grant.state };
    case "review":
      return {
        kind: "review",
        grant,
        approvedBy: payload.approvedBy ?? [],
        changesRequestedBy: payload.changesRequestedBy ?? [],
        required: payload.required ?? 1,
      };
    default:
      return null;
  }
}

export type NotifyHandlerDeps = Pick<ServiceDeps, "grants" | "notifier">;

export function notifyHandler(deps: NotifyHandlerDeps): KindHandler<"notify"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      const grant = await deps.grants.get(payload.grantId);
      if (!grant) return;
      let note = noteFor(grant, payload);
      if (!note) return;
      if (note.kind === "review" && grant.state !== "pr_open") return; // merged or closed meanwhile: the next note says so
      if (note.kind === "ended") {
        // An extension that is live keeps the access: say so instead of "removed".
        const continuedBy = (await deps.grants.listBySubject(grant.subject, LIVE_STATES)).find((g) => g.resource === grant.resource && g.id !== grant.id) ?? null;
        note = { ...note, continuedBy };
      }
      await deps.notifier.send(requesterOf(grant), note);
      if (note.kind === "ended" && grant.subject !== grant.requester) {
        await deps.notifier.send({ email: grant.subject }, note);
      }
    },
  };
}

export type DeliverCredentialHandlerDeps = Pick<ServiceDeps, "audit" | "clock" | "credentials" | "grants" | "notifier" | "signer">;

/**
 * Delivers the credential DM in two steps, so that every Slack message that ever shows the token
 * is one grantbot has recorded (and will redact when the grant ends), even if the process dies
 * mid-way: first the "active" DM without the token, recorded on the grant; then the token is
 * written into that recorded message (chat.update). A crash between posting and recording leaves
 * at most a message without a secret; re-running re-writes the same token (the signature is
 * deterministic: same claims, same key) into the same message.
 */
export function deliverCredentialHandler(deps: DeliverCredentialHandlerDeps): KindHandler<"deliver_credential"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      const grant = await deps.grants.get(payload.grantId);
      if (!grant || grant.state !== "active") return;
      const record = (await deps.credentials.forGrant(grant.id)).find((c) => c.revokedAt === null) ?? null;
      const audience = record?.audience ?? null;
      const to = { email: grant.subject, slackId: grant.subject === grant.requester ? grant.requesterSlackId : null };
      const delivered = async () => (await deps.audit.forGrant(grant.id)).some((r) => r.action === "credential.delivered");
      let ref = grant.credentialMessage;
      if (ref && await delivered()) return;
      if (!ref) {
        ref = await deps.notifier.send(to, { kind: "active", grant, token: null, audience });
        if (ref) await deps.grants.update(grant.id, ["active", "expired", "released", "revoked"], { credentialMessage: ref, updatedAt: deps.clock.now() });
      }
      if (ref && record) {
        const signed = await deps.signer.sign({
          subject: record.subject,
          audience: record.audience,
          scope: record.scope,
          grantId: record.grantId,
          jti: record.jti,
          issuedAt: record.issuedAt,
          expiresAt: record.expiresAt,
        });
        const current = await deps.grants.get(grant.id);
        // Only into a recorded message, and only while the grant is live.
        if (current?.state === "active") await deps.notifier.replace(ref, { kind: "active", grant: current, token: signed.token, audience });
      }
      const now = deps.clock.now();
      // A grant that ended while the DM was in flight: redact at once.
      const after = await deps.grants.get(grant.id);
      if (ref && after && after.state !== "active") await deps.notifier.redactCredential(ref, after);
      await deps.audit.append({ at: now, actor: "grantbot", action: "credential.delivered", grantId: grant.id, data: { jti: record?.jti ?? null, dm: Boolean(ref) } });
    },
  };
}

export type RedactCredentialHandlerDeps = Pick<ServiceDeps, "grants" | "notifier">;

export function redactCredentialHandler(deps: RedactCredentialHandlerDeps): KindHandler<"redact_credential"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      const grant = await deps.grants.get(payload.grantId);
      if (!grant?.credentialMessage) return;
      await deps.notifier.redactCredential(grant.credentialMessage, grant);
    },
  };
}

export type PrCommentHandlerDeps = Pick<ServiceDeps, "changes">;

export function prCommentHandler(deps: PrCommentHandlerDeps): KindHandler<"pr_comment"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      await deps.changes.comment(payload.prNumber, payload.body);
    },
  };
}

export type ClosePrHandlerDeps = Pick<ServiceDeps, "changes">;

export function closePrHandler(deps: ClosePrHandlerDeps): KindHandler<"close_pr"> {
  return {
    maxAttempts: 20,
    async run(payload) {
      await deps.changes.close(payload.prNumber, payload.comment);
    },
  };
}
