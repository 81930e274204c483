/**
 * ARM errors. Every failure a handler wants the client to see is thrown as an `ArmError` and sent as
 * the ARM error body `{"error":{"code","message","target"?,"details"?,"innererror"?}}` with the given
 * HTTP status — the shape both SDK generations turn into a `RestError` with `code` and `statusCode`.
 */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { target?: string; details?: unknown[]; innererror?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ArmError";
  }

  /** The wire body for this error. */
  toBody(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.extra.target !== undefined) error.target = this.extra.target;
    if (this.extra.details !== undefined) error.details = this.extra.details;
    if (this.extra.innererror !== undefined) error.innererror = this.extra.innererror;
    return { error };
  }
}

/** 404 `ResourceNotFound` with ARM's text, e.g. for `Microsoft.Compute/virtualMachines/x` in `rg`. */
export function resourceNotFound(type: string, name: string, rg: string): ArmError {
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** 404 `ResourceGroupNotFound`. */
export function resourceGroupNotFound(rg: string): ArmError {
  return new ArmError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
}

/** 400 `InvalidParameter` (target names the offending field). */
export function invalidParameter(message: string, target?: string): ArmError {
  return new ArmError(400, "InvalidParameter", message, target === undefined ? {} : { target });
}

/** 400 `InvalidResourceReference`: a referenced resource (NIC, subnet, public IP) does not exist. */
export function invalidReference(referencedId: string, byId: string): ArmError {
  return new ArmError(
    400,
    "InvalidResourceReference",
    `Resource ${referencedId} referenced by resource ${byId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
  );
}

/**
 * 409 `Conflict` for a write while another long-running operation on the same resource is in
 * progress (ARM's text for concurrent requests).
 */
export function concurrentConflict(operation: string): ArmError {
  return new ArmError(
    409,
    "Conflict",
    `The request failed due to conflict with a concurrent request (operation '${operation}' is in progress). To resolve it, please refer to https://aka.ms/activitylog to get more details on the conflicting requests.`,
  );
}

/** 409 `InvalidResourceLocation`: a PUT tried to move an existing resource to another location. */
export function locationChange(type: string, name: string, rg: string, existing: string, wanted: string): ArmError {
  return new ArmError(
    409,
    "InvalidResourceLocation",
    `The resource '${name}' already exists in location '${existing}' in resource group '${rg}'. A resource with the same name cannot be created in location '${wanted}'. Please select a new resource name. (type ${type})`,
  );
}
