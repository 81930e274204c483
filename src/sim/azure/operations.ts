import { ArmError } from "./errors.js";
import type { Json } from "./json.js";
import type { AzureSimKnobs, LroFailureShape } from "./sim-knobs.js";
import type { StoredResource, World } from "./world.js";

/** How a failing operation ends (see `LroFailureShape`). */
export interface OperationFailure {
  shape: LroFailureShape;
  code: string;
  message: string;
  httpStatus?: number;
}

/**
 * What a handler asks for when it starts a long-running operation. `operation` is the SDK-style
 * name failure rules match on; `resource` (if given) is marked busy until the operation ends, so
 * concurrent writes get 409; `complete` applies the final state on success, `fail` on failure;
 * `result` is the body the `Location` monitor returns with its final 200 (storage account create),
 * otherwise the monitor's 200 has no body; `failure` is a failure the handler already knows about
 * (e.g. storage network-rule validation), checked before the knob rules.
 */
export interface LroSpec {
  operation: string;
  namespace: string;
  location: string;
  apiVersion: string;
  resource?: StoredResource;
  complete: () => void;
  fail?: () => void;
  result?: () => Json | undefined;
  failure?: OperationFailure;
}

/** A running or finished operation. */
export interface Operation {
  id: string;
  spec: LroSpec;
  status: "InProgress" | "Succeeded" | "Failed";
  startTime: string;
  endTime?: string;
  failure?: OperationFailure;
  timer?: NodeJS.Timeout;
}

const MAX_FINISHED = 5000;

/**
 * Runs simulated long-running operations: each ends `knobs.taskDurationMs` after it starts (a timer
 * applies its final state, so GETs in between see the transitional `provisioningState`/power state)
 * and answers the poll URLs it hands out. Operations live in memory only; `settleAll()` finishes the
 * ones still running (used on close so the persisted world is consistent).
 */
export class OperationManager {
  private readonly ops = new Map<string, Operation>();
  private counter = 0;

  constructor(
    private readonly world: World,
    private readonly knobs: () => AzureSimKnobs,
    private readonly newId: () => string,
    private readonly baseUrl: () => string,
  ) {}

  /** Starts an operation; throws 409 `Conflict` if `spec.resource` already has one running. */
  start(spec: LroSpec): Operation {
    if (spec.resource?.internal.busy) throw new ArmError(409, "Conflict", `The request failed due to conflict with a concurrent request (operation '${String(spec.resource.internal.busy)}' is in progress).`);
    const op: Operation = { id: this.newId(), spec, status: "InProgress", startTime: new Date().toISOString() };
    const failure = spec.failure ?? this.takeFailureRule(spec.operation);
    if (failure) op.failure = failure;
    if (spec.resource) spec.resource.internal.busy = spec.operation;
    this.ops.set(op.id, op);
    op.timer = setTimeout(() => this.finish(op), Math.max(0, this.knobs().taskDurationMs));
    this.prune();
    return op;
  }

  /** An operation by id. */
  get(id: string): Operation | undefined {
    return this.ops.get(id);
  }

  /** `Azure-AsyncOperation` URL (status body `{status}`) for an operation. */
  asyncUrl(op: Operation): string {
    const s = op.spec;
    if (s.namespace.toLowerCase() === "microsoft.resources") return this.monitorUrl(op);
    return `${this.baseUrl()}/subscriptions/${this.world.subscriptionId}/providers/${s.namespace}/locations/${s.location}/operations/${op.id}?api-version=${s.apiVersion}`;
  }

  /** `Location` monitor URL (status by HTTP code: 202 running, 200 done) for an operation. */
  monitorUrl(op: Operation): string {
    const s = op.spec;
    const sub = `${this.baseUrl()}/subscriptions/${this.world.subscriptionId}`;
    switch (s.namespace.toLowerCase()) {
      case "microsoft.resources":
        return `${sub}/operationresults/${op.id}?api-version=${s.apiVersion}`;
      case "microsoft.storage":
        return `${sub}/providers/${s.namespace}/locations/${s.location}/asyncoperations/${op.id}?monitor=true&api-version=${s.apiVersion}`;
      default:
        return `${sub}/providers/${s.namespace}/locations/${s.location}/operations/${op.id}?monitor=true&api-version=${s.apiVersion}`;
    }
  }

  /** Finishes every running operation now (success or its injected failure). */
  settleAll(): void {
    for (const op of this.ops.values()) if (op.status === "InProgress") this.finish(op);
  }

  private finish(op: Operation): void {
    if (op.status !== "InProgress") return;
    if (op.timer) clearTimeout(op.timer);
    const res = op.spec.resource;
    if (res) delete res.internal.busy;
    try {
      if (op.failure) op.spec.fail?.();
      else op.spec.complete();
    } finally {
      op.status = op.failure ? "Failed" : "Succeeded";
      op.endTime = new Date().toISOString();
      this.world.touch();
    }
  }

  private takeFailureRule(operation: string): OperationFailure | undefined {
    for (const rule of this.knobs().lroFailures) {
      const times = rule.times ?? 1;
      if (times <= 0) continue;
      if (rule.operation !== "*" && rule.operation.toLowerCase() !== operation.toLowerCase()) continue;
      rule.times = times - 1;
      return { shape: rule.shape, code: rule.code, message: rule.message, ...(rule.httpStatus ? { httpStatus: rule.httpStatus } : {}) };
    }
    return undefined;
  }

  private prune(): void {
    if (++this.counter % 500 !== 0 || this.ops.size <= MAX_FINISHED) return;
    for (const [id, op] of this.ops) {
      if (this.ops.size <= MAX_FINISHED) break;
      if (op.status !== "InProgress") this.ops.delete(id);
    }
  }
}
