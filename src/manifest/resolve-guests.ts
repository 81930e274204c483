import { dirname } from "node:path";
import type { DesiredResource, Lifecycle } from "./model.js";
import { GUEST_PROVIDER } from "./model.js";
import { reportAt, reportDangling, type LoadedDocument, type ResolveContext } from "./resolve.js";
import type { GuestSpec, NfsShareSpec, VirtualMachineSpec } from "./schema/index.js";

/** The placeholder of `guest.address` that stands for each VM's (replica's) name. */
export const NAME_PLACEHOLDER = "{name}";

/**
 * Resolves `spec.guest` of every VirtualMachine into a derived resource `VirtualMachine/NAME@guest`
 * on the reserved provider `guest`: it depends on its VM and on the NfsShares it mounts, so the
 * planner and executor order it after them. Checks what the schema cannot: mounted shares exist,
 * mount points are unique and normalised, an address can be known (TrueNAS reports none), the
 * cloud-init `spec.mounts` is not combined with guest mounts, a literal address is not shared by
 * replicas. The guest of a VM whose desired power is not running is suspended (with a warning): it
 * cannot be reached.
 */
export function resolveGuests(ctx: ResolveContext, resources: DesiredResource[]): DesiredResource<"VirtualMachine">[] {
  const reserved = ctx.byKind.get("Provider")?.get(GUEST_PROVIDER);
  if (reserved) reportAt(ctx, reserved, ["metadata", "name"], "reserved-name", `the provider name "${GUEST_PROVIDER}" is reserved for the guest layer (VirtualMachine/NAME@${GUEST_PROVIDER})`, "Rename the Provider (and the provider: fields that name it).");
  const shares = new Map(resources.filter((r) => r.kind === "NfsShare" && r.attachmentOf === undefined).map((r) => [r.name, r as DesiredResource<"NfsShare">]));
  const out: DesiredResource<"VirtualMachine">[] = [];
  const checked = new Set<string>();
  for (const r of resources) {
    if (r.kind !== "VirtualMachine" || r.attachmentOf !== undefined) continue;
    const vm = r as DesiredResource<"VirtualMachine">;
    const guest = vm.spec.guest;
    if (!guest) continue;
    const vmDoc = ctx.byKind.get("VirtualMachine")?.get(vm.replicaOf ?? vm.name);
    if (!vmDoc) continue;
    const own = vmDoc.value.spec as VirtualMachineSpec;
    const at = own.guest !== undefined ? vmDoc : (templateDoc(ctx, own) ?? vmDoc);
    // problems of the manifest are reported once, not once per replica
    const first = !checked.has(vmDoc.name);
    checked.add(vmDoc.name);
    const ok = checkGuest(ctx, { vm, vmDoc, at, guest, shares, report: first });
    if (!ok) continue;
    const off = vm.spec.power === "stopped" || vm.spec.power === "deallocated";
    if (off && first) ctx.bag.add({ severity: "warning", ...vmDoc.source.positionOf(["spec", "power"]), code: "guest-not-reachable", path: "spec.power", message: `power: ${vm.spec.power}: the guest is not reached over SSH, so spec.guest is left as it is while the VM is not running`, hint: "Set power: running to have vmsync keep the guest's mounts and keys." });
    const mounted = [...new Set((guest.mounts ?? []).map((m) => m.share))].sort();
    out.push({
      address: `${vm.address}@${GUEST_PROVIDER}`, kind: "VirtualMachine", name: vm.name, provider: GUEST_PROVIDER, externalName: vm.name, labels: vm.labels,
      spec: vm.spec, lifecycle: guestLifecycle(vm.lifecycle, off), dependsOn: [vm.address, ...mounted.map((s) => `NfsShare/${s}`)], source: vm.source,
      attachmentOf: vm.address, ...(vm.replicaOf !== undefined ? { replicaOf: vm.replicaOf } : {}),
      guestContext: { shares: Object.fromEntries(mounted.map((s) => [s, withExporter(ctx, shares.get(s)!)])), baseDir: dirname(at.absFile) },
    });
  }
  return out;
}

interface GuestCheck {
  vm: DesiredResource<"VirtualMachine">;
  vmDoc: LoadedDocument;
  at: LoadedDocument;
  guest: GuestSpec;
  shares: Map<string, DesiredResource<"NfsShare">>;
  report: boolean;
}

/** Reports the problems of one VM's guest section; false when no guest resource can be made. */
function checkGuest(ctx: ResolveContext, c: GuestCheck): boolean {
  let ok = true;
  const error = (doc: LoadedDocument, keys: Array<string | number>, code: string, message: string, hint: string) => {
    ok = false;
    if (c.report) reportAt(ctx, doc, keys, code, message, hint);
  };
  const g = ["spec", "guest"];
  const ssh = c.guest.ssh;
  if (!ssh) error(c.at, g, "missing-field", "spec.guest.ssh is not set (neither here nor in the template)", "Add spec.guest.ssh with user and privateKey.");
  else {
    if (ssh.user === undefined) error(c.at, [...g, "ssh"], "missing-field", "spec.guest.ssh.user is not set (neither here nor in the template)", "Add the user vmsync logs in as, e.g. user: ubuntu.");
    if (ssh.privateKey === undefined) error(c.at, [...g, "ssh"], "missing-field", "spec.guest.ssh.privateKey is not set (neither here nor in the template)", "Add privateKey: {env: NAME} or {file: path}.");
  }
  const type = ctx.providers.get(c.vm.provider ?? "")?.spec.type;
  if (type === "truenas" && c.guest.address === undefined) error(c.at, g, "missing-field", "TrueNAS does not report the addresses of its VMs, so the guest needs spec.guest.address", "Set spec.guest.address to the guest's IP address or host name (\"{name}.lan\" gives each replica its own).");
  if ((c.vm.spec.mounts ?? []).length > 0) {
    const mountsAt = (c.vmDoc.value.spec as VirtualMachineSpec).mounts !== undefined ? c.vmDoc : c.at;
    error(mountsAt, ["spec", "mounts"], "migrate-mounts", "spec.mounts (written into cloud-init, mounted once at first boot) cannot be combined with spec.guest", "Move these entries to spec.guest.mounts (same share/path/options): vmsync then keeps them mounted over SSH and changes them in place.");
  }
  const address = c.guest.address;
  if (address !== undefined && c.vm.replicaOf !== undefined && !address.includes(NAME_PLACEHOLDER)) error(c.at, [...g, "address"], "invalid-value", `every replica of ${c.vm.replicaOf} would be reached at ${address}`, `Put ${NAME_PLACEHOLDER} in the address (e.g. "${NAME_PLACEHOLDER}.lan"), or leave it out to use the addresses the provider reports.`);
  for (const [keys, ref] of [[["ssh", "privateKey"], ssh?.privateKey], [["ssh", "passphrase"], ssh?.passphrase], [["ssh", "via", "privateKey"], ssh?.via?.privateKey], [["ssh", "via", "passphrase"], ssh?.via?.passphrase]] as const) {
    if (ref && "env" in ref && "file" in ref) error(c.at, [...g, ...keys], "invalid-value", "a secret reference has both env and file (the VM and its template each set one)", "Set the same kind of reference in the VM as in its template, or only one of them.");
  }
  const paths = new Map<string, number>();
  (c.guest.mounts ?? []).forEach((m, i) => {
    if (!c.shares.has(m.share)) {
      ok = false;
      if (c.report && !ctx.invalid.has(`NfsShare/${m.share}`)) reportDangling(ctx, c.at, [...g, "mounts", i, "share"], "NfsShare", m.share, c.shares);
    }
    if (m.path === "/" || m.path.endsWith("/") || m.path.split("/").some((seg, k) => k > 0 && (seg === "" || seg === "." || seg === ".."))) {
      error(c.at, [...g, "mounts", i, "path"], "invalid-value", `"${m.path}" is not a normalised mount point`, "Write an absolute path without trailing slash, empty, . or .. segments, e.g. /mnt/media.");
    }
    const other = paths.get(m.path);
    if (other !== undefined) error(c.at, [...g, "mounts", i, "path"], "duplicate-value", `${m.path} is also mounted by mounts[${other}]`, "Give every mount its own path.");
    else paths.set(m.path, i);
  });
  return ok;
}

/** The template document a VM's fields come from (the first level), for positions of inherited fields. */
function templateDoc(ctx: ResolveContext, own: VirtualMachineSpec): LoadedDocument | undefined {
  return own.template === undefined ? undefined : ctx.byKind.get("VmTemplate")?.get(own.template);
}

/**
 * A guest follows its VM's `suspend`, and is suspended too while its VM is meant to be off (it
 * cannot be reached, and must not be planned away either); `ignoreChanges` entries under
 * `spec.guest.` apply to it (as `spec.mounts`, `spec.authorizedKeys`, `spec.ssh…`). It is never
 * protected: its changes are in place, and removing the guest section only takes vmsync's own
 * lines out of the guest.
 */
function guestLifecycle(l: Lifecycle, off: boolean): Lifecycle {
  const ignore = l.ignoreChanges.filter((p) => p.startsWith("spec.guest.")).map((p) => `spec.${p.slice("spec.guest.".length)}`);
  return { protect: false, ignoreChanges: ignore, updatePolicy: "in-place-only", suspend: l.suspend || off };
}

/** The share with the exporting provider's type and endpoint, from which the NFS server is derived. */
function withExporter(ctx: ResolveContext, share: DesiredResource<"NfsShare">): DesiredResource<"NfsShare"> {
  const p = ctx.providers.get(share.provider ?? "");
  const type = p?.spec.type;
  if (type !== "truenas" && type !== "azure") return share;
  return { ...share, spec: share.spec as NfsShareSpec, exporter: { type, ...(p!.spec.endpoint !== undefined ? { endpoint: p!.spec.endpoint } : {}) } };
}
