import type { TSchema } from "@sinclair/typebox";
import { ContainerDocument } from "./container.js";
import { NfsShareDocument } from "./nfs-share.js";
import { ProviderDocument } from "./provider.js";
import { SnapshotScheduleDocument } from "./snapshot-schedule.js";
import { VirtualMachineDocument } from "./virtual-machine.js";
import { VmTemplateDocument } from "./vm-template.js";

export * from "./common.js";
export * from "./provider.js";
export * from "./vm-template.js";
export * from "./virtual-machine.js";
export * from "./nfs-share.js";
export * from "./snapshot-schedule.js";
export * from "./container.js";
export * from "./guest.js";

/** The only apiVersion this release reads. */
export const API_VERSION = "vmsync.io/v1";

/** Every manifest kind and its document schema. Adding a kind here adds it everywhere (loader, schemas/). */
export const kindSchemas = {
  Provider: ProviderDocument,
  VmTemplate: VmTemplateDocument,
  VirtualMachine: VirtualMachineDocument,
  Container: ContainerDocument,
  NfsShare: NfsShareDocument,
  SnapshotSchedule: SnapshotScheduleDocument,
} as const satisfies Record<string, TSchema>;

/** A manifest kind name. */
export type KindName = keyof typeof kindSchemas;

/** All kind names, in dependency-friendly order. */
export const kindNames = Object.keys(kindSchemas) as KindName[];

/** True when `kind` names a manifest kind. */
export function isKindName(kind: unknown): kind is KindName {
  return typeof kind === "string" && Object.prototype.hasOwnProperty.call(kindSchemas, kind);
}

/** File name of a kind's schema under `schemas/`, e.g. `virtual-machine.schema.json`. */
export function schemaFileName(kind: KindName): string {
  return `${kind.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}.schema.json`;
}
