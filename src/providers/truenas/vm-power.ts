/**
 * `vmsync restart` on TrueNAS: the `vm.restart` job (stop with `force_after_timeout`, then start),
 * waited for. A VM that is not running is refused, never started.
 */
import { ProviderError, type OperationContext, type PowerActions } from "../contract.js";
import type { SessionContext } from "./context.js";
import { doing } from "./errors.js";
import { getVm, stateOf } from "./vm-ops.js";

/** The power actions of a TrueNAS session. */
export function truenasPower(ctx: SessionContext): PowerActions {
  return {
    restart: (target, op: OperationContext) =>
      doing(`cannot restart truenas vm ${target.externalId}`, async () => {
        if (target.kind !== "VirtualMachine") throw new ProviderError(`${target.kind} cannot be restarted`, { code: "UNSUPPORTED", retryable: false });
        const id = Number(target.externalId);
        const e = await getVm(ctx, ["id", "=", id]);
        if (!e) throw new ProviderError("it does not exist", { code: "NOT_FOUND", retryable: false });
        const state = stateOf(e);
        if (state !== "RUNNING") throw new ProviderError(`it is ${state.toLowerCase()}; restart never starts a stopped VM`, { code: "NOT_RUNNING", retryable: false });
        await ctx.client.job("vm.restart", [id], op.signal);
      }),
  };
}
