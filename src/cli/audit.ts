import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import type { HistoryEntry } from "../state/contract.js";

/**
 * A history entry for a command that changes state but nothing at a provider (`vmsync import`,
 * `vmsync state rm`): who ran what, when, on which addresses — the audit log `vmsync history` shows
 * next to applies. Its steps are `noop`s (nothing was created, updated or deleted anywhere) and its
 * summary counts are zero.
 */
export function auditEntry(command: string, addresses: string[], startedAt: Date, env: NodeJS.ProcessEnv): HistoryEntry {
  return {
    id: randomUUID(), command, user: userInfo().username, host: hostname(), startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
    ...(env.VMSYNC_REVISION ? { revision: env.VMSYNC_REVISION } : {}),
    result: "succeeded", summary: { create: 0, update: 0, replace: 0, delete: 0 },
    steps: addresses.map((address) => ({ address, action: "noop" as const, result: "succeeded" as const })),
  };
}
