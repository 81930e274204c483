import type { ArmReply, SimContext } from "./context.js";
import { ArmError } from "./errors.js";
import type { Operation } from "./operations.js";

/**
 * Headers for the initial response of a long-running operation. `async` adds
 * `Azure-AsyncOperation` (status polled from the body), `location` adds `Location` (a monitor polled
 * by HTTP code). Which to send per operation follows the reference §4 table: never `Location` on a
 * VM/disk PUT-update or PATCH (the SDK would take its final GET from the monitor).
 */
export function lroHeaders(sim: SimContext, op: Operation, which: { async?: boolean; location?: boolean }): Record<string, string> {
  const h: Record<string, string> = {};
  if (which.async) h["Azure-AsyncOperation"] = sim.ops.asyncUrl(op);
  if (which.location) h["Location"] = sim.ops.monitorUrl(op);
  return h;
}

/**
 * Answers a poll of an operation URL. Status URLs (`…/operations/{id}`) answer 200 with
 * `{name,status,startTime,endTime?,error?}`; monitor URLs (`?monitor=true`, storage
 * `asyncoperations`, resource-group `operationresults`) answer 202 while running and 200 when done
 * (with the operation's result body, if it has one). Failures take the operation's failure shape.
 */
export function answerOperationPoll(sim: SimContext, operationId: string, monitor: boolean): ArmReply {
  const op = sim.ops.get(operationId);
  if (!op) throw new ArmError(404, "NotFound", `The operation '${operationId}' was not found.`);
  const headers: Record<string, string> = {};
  if (op.status === "InProgress" && sim.knobs.pollRetryAfterSeconds > 0) headers["Retry-After"] = String(sim.knobs.pollRetryAfterSeconds);
  if (op.status === "Failed" && op.failure) {
    const error = { code: op.failure.code, message: op.failure.message };
    if (op.failure.shape === "http-error") return { status: op.failure.httpStatus ?? 400, body: { error } };
    return { status: 200, body: { name: op.id, status: "Failed", startTime: op.startTime, endTime: op.endTime, error } };
  }
  if (monitor) {
    if (op.status === "InProgress") return { status: 202, headers: { ...headers, Location: sim.ops.monitorUrl(op) } };
    const result = op.spec.result?.();
    return result === undefined ? { status: 200, headers } : { status: 200, body: result, headers };
  }
  const body: Record<string, unknown> = { name: op.id, status: op.status, startTime: op.startTime };
  if (op.endTime) body.endTime = op.endTime;
  return { status: 200, body, headers };
}
