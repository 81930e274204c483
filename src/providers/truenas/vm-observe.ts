/**
 * Reads a `vm.query` entry (devices included, either device shape) into the canonical VM spec of
 * vm-spec.ts. Zvol sizes come from the bulk dataset read. The display password is reported as the
 * reference recorded in the VM's marker only when the server's password equals that secret now
 * (compared by digest in constant time); otherwise as a placeholder that differs from any reference.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { ObservedResource } from "../contract.js";
import { parseMarked } from "./marker.js";
import { poolOf, zvolOfPath } from "./names.js";
import type { CanonDisplay, CanonVm } from "./vm-spec.js";

/** A device in one shape whatever the version (`dtype` top-level on ≤24.10, inside attributes on 25.x). */
export interface Device {
  id: number;
  dtype: string;
  order: number;
  attributes: Record<string, unknown>;
}

/** Normalises a device entry. */
export function deviceOf(d: Record<string, unknown>): Device {
  const { dtype: inner, ...attrs } = (d.attributes ?? {}) as Record<string, unknown>;
  return { id: Number(d.id), dtype: dtypeOf(d, inner), order: Number(d.order ?? 0), attributes: attrs };
}

function dtypeOf(d: Record<string, unknown>, inner: unknown): string {
  return String(d.dtype ?? inner ?? "");
}

/** Devices of a VM entry of one dtype, in boot order (only those are converted: observe asks once per dtype). */
export function devicesOf(vm: Record<string, unknown>, dtype: string): Device[] {
  const out: Device[] = [];
  for (const d of (vm.devices ?? []) as Array<Record<string, unknown>>) {
    if (dtypeOf(d, (d.attributes as Record<string, unknown> | undefined)?.dtype) === dtype) out.push(deviceOf(d));
  }
  return out.sort((a, b) => a.order - b.order || a.id - b.id);
}

/** What observe knows besides the entry: zvol sizes, vmsync's datasets by owner, and a secret reader. */
export interface VmContext {
  volsizeMiB: (zvol: string) => number | undefined;
  /** The dataset whose `comments` carry this marker address, if any. */
  datasetOwnedBy: (stack: string, address: string) => string | undefined;
  readSecret: (ref: string) => Promise<string | undefined>;
}

const PW_MISMATCH = "(differs from the referenced secret)";
const PW_UNKNOWN = "(set outside vmsync)";

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

async function displayOf(d: Device | undefined, ref: string | undefined, ctx: VmContext): Promise<CanonDisplay | null> {
  if (!d) return null;
  const a = d.attributes;
  const actual = typeof a.password === "string" && a.password ? a.password : null;
  let password: string | null = null;
  if (actual !== null) {
    if (!ref) password = PW_UNKNOWN;
    else {
      const wanted = await ctx.readSecret(ref);
      // an unreadable secret cannot be compared: assume it is still the one vmsync set
      password = wanted === undefined || timingSafeEqual(digest(wanted), digest(actual)) ? ref : PW_MISMATCH;
    }
  }
  return { type: String(a.type ?? "SPICE"), bind: String(a.bind ?? "127.0.0.1"), port: typeof a.port === "number" ? a.port : null, password };
}

/** The observed VM in canonical form. */
export async function observeVm(vm: Record<string, unknown>, ctx: VmContext): Promise<ObservedResource> {
  const parsed = parseMarked(vm.description);
  const name = String(vm.name);
  const disks = devicesOf(vm, "DISK");
  const zvols = disks.map((d) => zvolOfPath(d.attributes.path) ?? String(d.attributes.path ?? ""));
  const owned = parsed.marker ? ctx.datasetOwnedBy(parsed.marker.stack, parsed.marker.address) : undefined;
  const first = zvols[0];
  const dataset = owned ?? (first && first.includes("/") ? first.slice(0, first.lastIndexOf("/")) : null);
  const state = String((vm.status as { state?: string } | undefined)?.state ?? "STOPPED");
  const cdrom = devicesOf(vm, "CDROM")[0];
  const spec: CanonVm = {
    name,
    dataset,
    description: parsed.text,
    vcpus: Number(vm.vcpus ?? 1),
    cores: Number(vm.cores ?? 1),
    threads: Number(vm.threads ?? 1),
    memory: typeof vm.memory === "number" ? vm.memory : null,
    bootloader: String(vm.bootloader ?? "UEFI"),
    autostart: vm.autostart !== false,
    power: state === "RUNNING" ? "running" : state === "SUSPENDED" ? "suspended" : "stopped",
    disks: disks.map((d, i) => {
      const z = zvols[i]!;
      return { name: dataset && z.startsWith(`${dataset}/`) ? z.slice(dataset.length + 1) : z, size: ctx.volsizeMiB(z) ?? 0, bus: String(d.attributes.type ?? "AHCI") };
    }),
    nics: devicesOf(vm, "NIC").map((d) => ({
      bridge: typeof d.attributes.nic_attach === "string" ? d.attributes.nic_attach : null,
      model: String(d.attributes.type ?? "E1000"),
      ...(typeof d.attributes.mac === "string" ? { mac: d.attributes.mac.toLowerCase() } : {}),
    })),
    iso: cdrom && typeof cdrom.attributes.path === "string" ? cdrom.attributes.path : null,
    display: await displayOf(devicesOf(vm, "DISPLAY")[0], parsed.extra["display-password"], ctx),
  };
  const power = state === "RUNNING" ? "running" : state === "SUSPENDED" ? "paused" : state === "STOPPED" ? "stopped" : "unknown";
  return {
    kind: "VirtualMachine", externalId: String(vm.id), name, ...(parsed.marker ? { marker: parsed.marker } : {}), spec: spec as unknown as Record<string, unknown>,
    status: { ...(dataset ? { placement: poolOf(dataset) } : {}), power },
  };
}
