import { dirname } from "node:path";
import pLimit from "p-limit";
import type { DesiredResource, DesiredState } from "../manifest/model.js";
import type { CreateRequest, DeleteRequest, ObservedResource, ObserveScope, OperationContext, ProviderSession, UpdateRequest } from "../providers/contract.js";
import { asCanonical, asGuest, canonicalGuest, type GuestCanonical } from "./canonical.js";
import { converge, type Touched } from "./converge.js";
import { touchedBy } from "./diff.js";
import { observedSpec, readGuest, viewOf } from "./read.js";
import { reach, type VmFinder } from "./readiness.js";
import { layoutFor, type GuestLayout, GuestShell } from "./shell.js";
import { BastionPool } from "./ssh/bastion-pool.js";
import { openSsh } from "./ssh/connect.js";
import { GuestError } from "./ssh/errors.js";
import { endpointOf, guestExternalId, pinnedKey, recordedFingerprint, SecretReader } from "./target.js";
import { addressOf, isRunning, VmLocator } from "./vm-locator.js";

/** What the guest layer needs to open: the run's desired state, the providers' sessions (to find VMs), env. */
export interface GuestSessionInput {
  stack: string;
  desired: DesiredState;
  /** The providers' sessions, by provider name (the map the run closes). */
  sessions: Map<string, ProviderSession>;
  env: NodeJS.ProcessEnv;
  /** Guests read at once during observe (default 16). */
  concurrency?: number;
  /** Only for tests against a real sshd: where the edited files are. */
  layout?: (user: string) => GuestLayout;
}

/**
 * The guest layer's session: `VirtualMachine/NAME@guest` resources reached over SSH. It observes
 * after the providers (it needs each VM's power and addresses), reads all guests at once with
 * bounded concurrency, and turns every failure to reach one guest into that guest's own error
 * (`ObservedResource.error`) — the rest of the plan goes on. Creates and updates wait for SSH to
 * answer (after a VM was created or restarted). The external id is `VM-ADDRESS#HOST-KEY-FINGERPRINT`:
 * the key trusted on first use lives in state.
 */
export class GuestSession implements ProviderSession {
  readonly observesAfterProviders = true;
  private readonly secrets: SecretReader;
  private readonly vms: VmLocator;
  private readonly byAddress: Map<string, DesiredResource>;
  private readonly bastions = new BastionPool();

  constructor(private readonly input: GuestSessionInput) {
    this.secrets = new SecretReader(input.env);
    this.byAddress = new Map(input.desired.resources.map((r) => [r.address, r]));
    this.vms = new VmLocator(input.stack, input.desired, input.sessions);
  }

  async observe(scope: ObserveScope): Promise<ObservedResource[]> {
    const records = new Map((scope.records ?? []).map((r) => [r.address, r]));
    const addresses = [...new Set([...(scope.desired ?? []).map((r) => r.address), ...records.keys()])].sort();
    const limit = pLimit(this.input.concurrency ?? 16);
    const found = await Promise.all(addresses.map((a) => limit(() => this.observeOne(a, records.get(a), scope))));
    return found.filter((o): o is ObservedResource => o !== undefined);
  }

  private async observeOne(address: string, record: { externalId: string; appliedSpec: unknown } | undefined, scope: ObserveScope): Promise<ObservedResource | undefined> {
    const r = this.byAddress.get(address);
    const spec: GuestCanonical = r ? canonicalGuest(r) : asGuest(record!.appliedSpec);
    const vm = scope.locate?.(spec.vm, this.input.stack);
    if (!vm) return undefined;
    this.vms.remember(spec.vm, vm);
    const name = r?.externalName ?? vm.name;
    const marker = { stack: this.input.stack, address };
    if (!isRunning(vm)) return record ? { kind: "VirtualMachine", externalId: record.externalId, name, marker, spec: record.appliedSpec as GuestCanonical as never } : undefined;
    const host = spec.ssh.address ?? addressOf(vm);
    const failed = (err: GuestError): ObservedResource => ({ kind: "VirtualMachine", externalId: record?.externalId ?? guestExternalId(spec.vm, "unknown"), name, marker, spec: {}, error: { code: err.code, message: err.message } });
    if (!host) return failed(new GuestError(`no address is known for the guest of ${spec.vm}: the provider reports none (Proxmox: is qemu-guest-agent running in it?); set spec.guest.address`, "GUEST_NO_ADDRESS"));
    const what = `the guest of ${spec.vm}`;
    try {
      const recorded = record && !pinnedKey(spec.ssh, this.secrets) ? recordedFingerprint(record.externalId) : undefined;
      const { target, options } = await endpointOf(spec.ssh, { host, ...(recorded ? { recorded } : {}), baseDir: this.baseDirOf(r, spec.vm), secrets: this.secrets, what });
      const conn = await openSsh(target, { ...options, bastions: this.bastions });
      try {
        const shell = new GuestShell(conn, this.layoutOf(spec.ssh.user), what);
        const view = viewOf(await readGuest(shell), marker);
        if (!record && !view.marked) return undefined; // a guest vmsync never touched: planned as a create
        const ssh = record ? asGuest(record.appliedSpec).ssh : spec.ssh;
        const observed = observedSpec(view, { vm: spec.vm, ssh, wanted: Object.keys(spec.mounts), fstab: shell.layout.fstab });
        return { kind: "VirtualMachine", externalId: guestExternalId(spec.vm, conn.fingerprint), name, marker, spec: asCanonical(observed), status: { addresses: [host] } };
      } finally {
        conn.close();
      }
    } catch (err) {
      if (err instanceof GuestError) return failed(err);
      return failed(new GuestError(`cannot read the guest of ${spec.vm}: ${(err as Error).message}`, "GUEST_PROTOCOL", err));
    }
  }

  create(req: CreateRequest, ctx: OperationContext): Promise<ObservedResource> {
    return this.applyTo(req.address, asGuest(req.spec), undefined, { mounts: "all", keys: true }, ctx);
  }

  update(req: UpdateRequest, ctx: OperationContext): Promise<ObservedResource> {
    const desired = asGuest(req.spec);
    const removed = req.changes.filter((c) => c.path.startsWith("mounts.") && c.after === null).map((c) => c.path.slice("mounts.".length));
    const touched = touchedBy(req.changes, [...Object.keys(desired.mounts), ...removed]);
    return this.applyTo(req.address, desired, recordedFingerprint(req.externalId), touched, ctx);
  }

  /**
   * Takes vmsync's lines out of the guest (unmounting its mounts, refusing busy ones). Nothing to do
   * when the VM itself leaves the manifests (it is deleted, or no longer vmsync's to change) or is
   * not running (its guest cannot be reached; its files are left as they are).
   */
  async delete(req: DeleteRequest, ctx: OperationContext): Promise<void> {
    if (!req.spec) return;
    const applied = asGuest(req.spec);
    if (!this.byAddress.has(applied.vm)) return;
    const vm = await this.vms.find(applied.vm);
    if (!vm || !isRunning(vm)) return;
    await this.applyTo(req.address, { ...applied, mounts: {}, authorizedKeys: [] }, recordedFingerprint(req.externalId), { mounts: "all", keys: true }, ctx);
  }

  async close(): Promise<void> {
    this.bastions.close();
  }

  private async applyTo(address: string, desired: GuestCanonical, recorded: string | undefined, touched: Touched, ctx: OperationContext): Promise<ObservedResource> {
    const r = this.byAddress.get(address);
    const what = `the guest of ${desired.vm}`;
    const owner = { stack: this.input.stack, address };
    const pinned = pinnedKey(desired.ssh, this.secrets);
    const finder: VmFinder = { cached: () => this.vms.cached(desired.vm), refresh: () => this.vms.find(desired.vm) };
    const { conn, host } = await reach(finder, ctx, {
      ssh: desired.ssh, what,
      open: async (h) => {
        const { target, options } = await endpointOf(desired.ssh, { host: h, ...(recorded && !pinned ? { recorded } : {}), baseDir: this.baseDirOf(r, desired.vm), secrets: this.secrets, what });
        return openSsh(target, { ...options, signal: ctx.signal, bastions: this.bastions });
      },
    });
    try {
      const shell = new GuestShell(conn, this.layoutOf(desired.ssh.user), what);
      await converge(shell, owner, desired, touched);
      const view = viewOf(await readGuest(shell), owner);
      const spec = observedSpec(view, { vm: desired.vm, ssh: desired.ssh, wanted: Object.keys(desired.mounts), fstab: shell.layout.fstab });
      return { kind: "VirtualMachine", externalId: guestExternalId(desired.vm, conn.fingerprint), name: r?.externalName ?? desired.vm.replace(/^VirtualMachine\//, ""), marker: owner, spec: asCanonical(spec), status: { addresses: [host] } };
    } finally {
      conn.close();
    }
  }

  private layoutOf(user: string): GuestLayout {
    return this.input.layout?.(user) ?? layoutFor(user);
  }

  /** The folder `{file:}` references of a guest's SSH settings are relative to. */
  private baseDirOf(r: DesiredResource | undefined, vm: string): string {
    if (r?.guestContext) return r.guestContext.baseDir;
    const provider = this.byAddress.get(vm)?.provider;
    const config = provider ? this.input.desired.providers.get(provider) : undefined;
    return config?.baseDir ?? dirname(r?.source.file ?? ".");
  }
}
