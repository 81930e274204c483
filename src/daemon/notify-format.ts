import type { PlanSummary } from "../reconcile/plan-types.js";
import type { PassResult } from "./pass-types.js";

/**
 * What the daemon tells webhooks, a discriminated union on `type` (field names are an API).
 * Payloads carry addresses, actions, field paths and error texts — never field values, so no
 * secret (or secret-derived value) can leak through a notification.
 */
export type DaemonNotification = { stack: string; time: string; revision?: string } & (
  | { type: "drift.detected"; drift: Array<{ address: string; type: "changed" | "deleted"; paths: string[] }> }
  | { type: "apply.succeeded"; summary: PlanSummary; steps: Array<{ address: string; action: string; result: string }> }
  | { type: "apply.failed"; result: string; summary: PlanSummary; steps: Array<{ address: string; action: string; result: string; error?: string }> }
  | { type: "schedule.failed"; schedule: string; failures: Array<{ target: string; error: string }> }
  | { type: "manifests.invalid"; errors: string[] }
);

/** Wire format of webhook bodies: vmsync's JSON, or a Slack incoming-webhook message. */
export type WebhookFormat = "json" | "slack";

/** A stable key of a drift set, so the same drift is announced once, not at every resync. */
export function driftKey(drift: Array<{ address: string; paths: string[] }>): string {
  return drift.map((d) => `${d.address}:${[...d.paths].sort().join(",")}`).sort().join(";");
}

/** What was last announced, so that an unchanged drift or manifest error is announced once. */
export interface NotifyMemo {
  drift: string;
  invalid: string;
}

/** The notifications a pass calls for (pure), and the memo to keep for the next pass. */
export function notificationsForPass(pass: PassResult, stack: string, memo: NotifyMemo): { notes: DaemonNotification[]; memo: NotifyMemo } {
  const base = { stack, time: new Date(pass.finishedAt).toISOString(), ...(pass.revision ? { revision: pass.revision } : {}) };
  if (pass.outcome === "invalid") {
    const errors = pass.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.file}:${d.line}:${d.column}: ${d.path ? `${d.path}: ` : ""}${d.message}`);
    const key = errors.join("\n");
    return { notes: key === memo.invalid ? [] : [{ ...base, type: "manifests.invalid", errors }], memo: { ...memo, invalid: key } };
  }
  if (pass.outcome !== "reconciled") return { notes: [], memo };
  const notes: DaemonNotification[] = [];
  const drift = pass.plan.drift.map((d) => ({ address: d.address, type: d.type, paths: d.changes.map((c) => c.path) }));
  const key = driftKey(drift);
  if (drift.length && key !== memo.drift) notes.push({ ...base, type: "drift.detected", drift });
  const a = pass.apply;
  if (a && a.steps.length) {
    const steps = a.steps.map((s) => ({ address: s.address, action: s.action, result: s.result, ...(s.error ? { error: s.error } : {}) }));
    if (a.result === "succeeded") notes.push({ ...base, type: "apply.succeeded", summary: pass.plan.summary, steps: steps.map(({ error: _e, ...s }) => s) });
    else notes.push({ ...base, type: "apply.failed", result: a.result, summary: pass.plan.summary, steps });
  }
  return { notes, memo: { drift: key, invalid: "" } };
}

/** The body to POST for a notification in the given format. */
export function webhookBody(n: DaemonNotification, format: WebhookFormat): unknown {
  return format === "json" ? { formatVersion: 1, ...n } : { text: slackText(n) };
}

function slackText(n: DaemonNotification): string {
  const where = `*${n.stack}*${n.revision ? ` @ \`${n.revision.slice(0, 12)}\`` : ""}`;
  const list = (lines: string[]) => lines.slice(0, 20).map((l) => `• ${l}`).join("\n") + (lines.length > 20 ? `\n…and ${lines.length - 20} more` : "");
  switch (n.type) {
    case "drift.detected":
      return `:warning: Drift on ${where}: ${n.drift.length} resource(s) changed outside vmsync\n${list(n.drift.map((d) => `\`${d.address}\` ${d.type === "deleted" ? "deleted" : d.paths.join(", ")}`))}`;
    case "apply.succeeded":
      return `:white_check_mark: Applied on ${where}: ${n.summary.create} created, ${n.summary.update} updated, ${n.summary.replace} replaced, ${n.summary.delete} deleted`;
    case "apply.failed":
      return `:x: Apply ${n.result} on ${where}\n${list(n.steps.filter((s) => s.result !== "succeeded").map((s) => `\`${s.address}\` ${s.action} ${s.result}${s.error ? `: ${s.error}` : ""}`))}`;
    case "schedule.failed":
      return `:x: Snapshot schedule \`${n.schedule}\` failed on ${where}\n${list(n.failures.map((f) => `\`${f.target}\`: ${f.error}`))}`;
    case "manifests.invalid":
      return `:x: Manifests of ${where} are invalid; nothing is applied until they are fixed\n${list(n.errors)}`;
  }
}
