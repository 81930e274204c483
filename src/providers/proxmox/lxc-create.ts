import { ProviderError, type CreateRequest, type ObservedResource, type OperationContext } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext, ProxmoxApiError, ProxmoxTaskError } from "./errors.js";
import { isIdTaken, ownsId, resumeAbandoned, tracked, type GuestRef } from "./id-taken.js";
import type { MarkerLine } from "./marker.js";
import { ctCreateParams, ctMarker } from "./lxc-config.js";
import { cloneContainer } from "./lxc-clone.js";
import { diffContainer } from "./lxc-diff.js";
import { ctPath, findOwnedCt, readContainer } from "./lxc-guests.js";
import type { CtView } from "./lxc-normalise.js";
import { observeView } from "./lxc-observe.js";
import { ctPower } from "./lxc-power.js";
import type { CtSpec } from "./lxc-spec.js";
import { applyToContainer, bindResolver } from "./lxc-update.js";
import { sleep } from "./sync.js";
import { runTask, waitTask } from "./tasks.js";
import { topField } from "./vm-config.js";

/**
 * `ProviderSession.create` for a Container. Safe to retry: the container carries its marker (tag +
 * description line, with its create-time facts) from the first request, so one left by an
 * interrupted or retried create is found and finished instead of duplicated. Steps: adopt-or-create
 * (from the OS template — checked to be in the storage's `vztmpl` content first — or a clone of a
 * container template), converge the rest of the config, convert to a template (`template: true`;
 * PVE answers `null` and converts in a worker, so the config is polled), start (power: running).
 */
export async function createContainer(c: ProxmoxContext, req: CreateRequest, op: OperationContext): Promise<ObservedResource> {
  const spec = req.spec as unknown as CtSpec;
  return inContext(`create proxmox container ${spec.hostname}`, async () => {
    const marker = ctMarker(req.marker, spec);
    let v = (await resumeAbandoned(c, req.address, marker, op, readContainer)) ?? (await findOwnedCt(c, req.address, spec.hostname, op));
    if (!v) {
      const ref = spec.clone ? await cloneContainer(c, spec, marker, op) : await createFresh(c, spec, marker, op);
      v = await mustRead(c, ref, op);
    }
    const observed = (await observeView(c, v, op.signal)).spec;
    const changes = diffContainer({ ...(req.spec as Record<string, unknown>), power: v.running ? "running" : "stopped" }, observed);
    const fields = new Set(changes.filter((ch) => ch.effect !== "replace" && ch.effect !== "unsupported").map((ch) => topField(ch.path)).filter((f) => f !== "power"));
    if (fields.size) await applyToContainer(c, v, spec, fields, marker, op, { reboot: false });
    if (spec.template && Number(v.config.template ?? 0) !== 1) await convertToTemplate(c, v, op);
    else if (!spec.template && spec.power === "running" && !v.running) await ctPower(c, v, "start", op);
    return observeView(c, await mustRead(c, v, op), op.signal);
  });
}

async function mustRead(c: ProxmoxContext, ref: GuestRef, op: OperationContext): Promise<CtView> {
  const v = await readContainer(c, ref.node, ref.vmid, op.signal);
  if (!v) throw new ProviderError(`CT ${ref.vmid} is not on node ${ref.node} after its create`, { code: "PROXMOX_NOT_FOUND", retryable: true });
  return v;
}

/** Fails early, naming what is there, when the OS template is not in its storage's `vztmpl` content on the node. */
async function checkOstemplate(c: ProxmoxContext, spec: CtSpec, op: OperationContext): Promise<void> {
  const volid = spec.ostemplate!;
  const storage = volid.slice(0, volid.indexOf(":"));
  let items: Array<{ volid: string }>;
  try {
    items = await c.api.get(`/nodes/${spec.node}/storage/${encodeURIComponent(storage)}/content`, { content: "vztmpl" }, { signal: op.signal });
  } catch (err) {
    if (err instanceof ProxmoxApiError && err.status === 400) throw new ProviderError(`storage '${storage}' of ostemplate ${volid} does not exist on node ${spec.node}`, { code: "PROXMOX_OSTEMPLATE_MISSING", retryable: false });
    throw err;
  }
  if (items.some((i) => i.volid === volid)) return;
  const there = items.map((i) => i.volid).sort();
  throw new ProviderError(
    `ostemplate ${volid} is not on storage '${storage}' of node ${spec.node} (${there.length ? `templates there: ${there.join(", ")}` : "it holds no templates"}); download it with \`pveam download ${storage} ${volid.slice(volid.indexOf("/") + 1)}\``,
    { code: "PROXMOX_OSTEMPLATE_MISSING", retryable: false },
  );
}

/** `POST /nodes/{node}/lxc` with every option, the SSH keys and the root password; a new VMID when one is taken. */
async function createFresh(c: ProxmoxContext, spec: CtSpec, marker: MarkerLine, op: OperationContext): Promise<GuestRef> {
  await checkOstemplate(c, spec, op);
  const bindPath = await bindResolver(c, spec, op);
  const secrets: Record<string, string> = {};
  const keys = spec._publicKeys ?? [];
  if (keys.length) secrets["ssh-public-keys"] = keys.join("\n");
  if (spec.rootPassword) secrets.password = await c.readSecret(spec.rootPassword);
  for (let attempt = 0; ; attempt++) {
    const vmid = spec.vmid ?? (await c.vmids.allocate(op.signal));
    try {
      const params = { ...ctCreateParams(spec, vmid, marker, bindPath), ...secrets };
      await tracked(c, marker.address, { node: spec.node, vmid }, op.signal, () => runTask(c.api, { method: "POST", path: `/nodes/${spec.node}/lxc`, params }, op, 0));
      return { node: spec.node, vmid };
    } catch (err) {
      const taken = isIdTaken(err);
      if (taken) {
        const node = /on node '([^']+)'/.exec(err instanceof ProxmoxApiError ? err.detail : "")?.[1] ?? spec.node;
        if (await ownsId(c, node, vmid, marker, op, readContainer)) return { node, vmid };
      }
      if (err instanceof ProxmoxApiError && err.status === 403) throw rootOnly(err);
      const retryWithNewId = spec.vmid === undefined && attempt < 8 && (taken || (err instanceof ProxmoxTaskError && err.retryable));
      if (!retryWithNewId) throw err;
    } finally {
      if (spec.vmid === undefined) c.vmids.release(vmid);
    }
  }
}

/** A 403 for a root@pam-only option, with what to do about it. */
export function rootOnly(err: ProxmoxApiError): ProviderError {
  if (!/only allowed for root@pam/.test(err.detail)) return err;
  return new ProviderError(`${err.message}; Proxmox allows this only to root@pam logged in with a password, never to an API token: give the provider auth {username: root@pam, password: …}`, { code: err.code, retryable: false, cause: err });
}

/**
 * `POST …/template` answers null and converts in a `vztemplate` worker whose UPID it does not
 * return: the worker is found in the node's task list (newest for this VMID) and waited for, so a
 * failed conversion is an error (retryable when it is a lock timeout), not a silent no-op.
 */
async function convertToTemplate(c: ProxmoxContext, v: CtView, op: OperationContext): Promise<void> {
  if (v.running) await ctPower(c, v, "shutdown", op);
  const since = Math.floor(Date.now() / 1000) - 1;
  await runTask(c.api, { method: "POST", path: `${ctPath(v)}/template` }, op);
  for (let delay = 10; ; delay = Math.min(1000, delay * 2)) {
    const now = await readContainer(c, v.node, v.vmid, op.signal);
    if (now && Number(now.config.template ?? 0) === 1) return;
    const tasks = await c.api.get<Array<{ upid: string; starttime?: number }>>(`/nodes/${v.node}/tasks`, { vmid: v.vmid, typefilter: "vztemplate", source: "all" }, { signal: op.signal });
    const worker = tasks.filter((t) => Number(t.starttime ?? 0) >= since).sort((a, b) => Number(b.starttime ?? 0) - Number(a.starttime ?? 0))[0];
    if (worker) {
      await waitTask(c.api, { method: "POST", path: `${ctPath(v)}/template` }, worker.upid, op);
      const after = await readContainer(c, v.node, v.vmid, op.signal);
      if (after && Number(after.config.template ?? 0) === 1) return;
    }
    if (Date.now() > op.deadline) throw new ProviderError(`CT ${v.vmid} did not become a template before the step deadline`, { code: "PROXMOX_TASK_TIMEOUT", retryable: false });
    await sleep(delay, op.signal);
  }
}
