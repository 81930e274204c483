import type { SourcePos } from "./diagnostics.js";
import type { ContainerSpec, NfsShareSpec, ProviderSpec, SnapshotScheduleSpec, VirtualMachineSpec, VmTemplateSpec } from "./schema/index.js";

/** Kinds that become objects at a provider (Provider itself is configuration, not a resource). */
export type ResourceKind = "VmTemplate" | "VirtualMachine" | "Container" | "NfsShare" | "SnapshotSchedule";

/** How vmsync may change a resource; from the spec's lifecycle fields with defaults applied. */
export interface Lifecycle {
  protect: boolean;
  ignoreChanges: string[];
  updatePolicy: "in-place-only" | "replace-allowed";
  suspend: boolean;
}

/** Spec type of each resource kind after loading (templates merged, defaults filled). */
export interface SpecOf {
  VmTemplate: VmTemplateSpec;
  VirtualMachine: VirtualMachineSpec;
  Container: ContainerSpec & {
    /** Storage id (on this provider) of each NfsShare a mount point binds, by share name (set by the resolver). */
    shareStorages: Record<string, string>;
  };
  NfsShare: NfsShareSpec;
  SnapshotSchedule: SnapshotScheduleSpec & {
    resolvedTargets: string[];
    /** On derived native schedules: what the provider needs of each target (its name there, its dataset). */
    targetInfo?: Record<string, { externalName?: string; dataset?: string }>;
  };
}

/**
 * One resource vmsync should make exist, as the manifests say. `address` is `Kind/name` (replicas
 * expanded: `VirtualMachine/web-1`). `provider` names the Provider it lives on (SnapshotSchedules of
 * several providers name none). `dependsOn` lists addresses applied before it. `source` points at the
 * manifest that produced it, for messages.
 */
export interface DesiredResource<K extends ResourceKind = ResourceKind> {
  address: string;
  kind: K;
  name: string;
  labels: Record<string, string>;
  provider?: string;
  /** Name of the object at the provider (TrueNAS maps `-` to `_`). */
  externalName?: string;
  spec: SpecOf[K];
  lifecycle: Lifecycle;
  dependsOn: string[];
  source: SourcePos;
  /** For replicas: the manifest's own name (`web` for `web-2`). */
  replicaOf?: string;
  /**
   * Set on derived resources: `NfsShare/media@pve` is the Proxmox NFS storage that registers the
   * export of `NfsShare/media` (its `attachTo` entry, `externalName` = the storage id);
   * `SnapshotSchedule/nightly@nas` is the native schedule on a provider that has them (TrueNAS).
   */
  attachmentOf?: string;
  /**
   * Set on `NfsShare` attachments (with `attachmentOf`): the type and endpoint of the Provider that
   * exports the share, so the attaching provider can derive the NFS server when `attachTo.server`
   * is not given.
   */
  exporter?: { type: "truenas" | "azure" | "proxmox"; endpoint?: string | { env: string } };
  /**
   * Set on guest resources (`VirtualMachine/web-1@guest`, provider {@link GUEST_PROVIDER}): the
   * NfsShares its guest mounts, by name, each with its `exporter` (so the NFS source is known), and
   * the folder of the manifest that wrote `spec.guest` (its `{file:}` references are relative to it).
   */
  guestContext?: { shares: Record<string, DesiredResource<"NfsShare">>; baseDir: string };
}

/**
 * The reserved provider name of the guest layer: `VirtualMachine/NAME@guest` resources live "on"
 * it (reached over SSH, see src/guest/). No Provider manifest may take this name.
 */
export const GUEST_PROVIDER = "guest";

/** A Provider manifest: how to reach one API. `baseDir` anchors relative paths (CA file, {file:} secrets). */
export interface DesiredProvider {
  name: string;
  spec: ProviderSpec;
  source: SourcePos;
  baseDir: string;
  /** Folder that bounds `{file:}` secret references. */
  root: string;
}

/** Everything the manifests ask for, validated and resolved. */
export interface DesiredState {
  providers: Map<string, DesiredProvider>;
  /** Every VmTemplate, including the ones that only hold defaults. */
  templates: Map<string, DesiredResource<"VmTemplate">>;
  /** Resources to plan, in a stable order (by address). */
  resources: DesiredResource[];
}

