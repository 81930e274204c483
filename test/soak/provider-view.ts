/**
 * What the simulators hold, read through their own APIs — not through vmsync's providers or state:
 * Proxmox through its admin view of the world (`/_sim/world`), TrueNAS through the JSON-RPC API
 * (`vm.query`, `pool.dataset.query`), Azure through ARM (`virtualMachines`, `networkInterfaces`,
 * `publicIPAddresses`, `disks`). Every object is reported with the ownership marker it carries, so
 * the trials can find duplicates and orphans, and with the fields the trials change. Reads retry
 * the transient errors the simulators inject.
 */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import WebSocket from "ws";
import type { FleetProvider } from "../helpers/fleet.js";

/** One object at a provider that carries a vmsync marker (of any stack). */
export interface MarkedObject {
  provider: FleetProvider;
  /** What kind of object it is at the provider (vm, nic, disk, public-ip, dataset). */
  type: string;
  id: string;
  name: string;
  stack: string;
  address: string;
  /** For VMs: what the trials compare with the manifests. */
  memory?: number;
  cores?: number;
  size?: string;
}

async function retrying<T>(what: string, fn: () => Promise<T>, attempts = 12): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100 * Math.min(2 ** i, 20)));
    }
  }
  throw new Error(`${what}: ${(last as Error)?.message ?? String(last)}`);
}

function getJson(url: string, ca: string, headers: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { accept: "application/json", ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`GET ${new URL(url).pathname}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** Proxmox: the marker line of a description (`managed-by=vmsync stack=… address=…`, URI-encoded values). */
function proxmoxMarker(description: unknown): { stack: string; address: string } | undefined {
  for (const line of String(description ?? "").split("\n")) {
    if (!line.startsWith("managed-by=vmsync ")) continue;
    const attrs = Object.fromEntries(line.split(" ").slice(1).map((p) => [p.slice(0, p.indexOf("=")), decodeURIComponent(p.slice(p.indexOf("=") + 1))]));
    if (attrs.stack && attrs.address) return { stack: attrs.stack, address: attrs.address };
  }
  return undefined;
}

/** TrueNAS: the last `vmsync:stack=… address=…` line of a text field (`%20`-style escapes). */
function truenasMarker(text: unknown): { stack: string; address: string } | undefined {
  const line = String(text ?? "").split("\n").findLast((l) => l.startsWith("vmsync:stack="));
  if (!line) return undefined;
  const unesc = (v: string) => v.replace(/%0A/g, "\n").replace(/%20/g, " ").replace(/%25/g, "%");
  const attrs = Object.fromEntries(line.slice("vmsync:".length).split(" ").map((p) => [p.slice(0, p.indexOf("=")), unesc(p.slice(p.indexOf("=") + 1))]));
  return attrs.stack && attrs.address ? { stack: attrs.stack, address: attrs.address } : undefined;
}

/** Proxmox VMs with a marker, from the simulator's world. */
export async function proxmoxObjects(env: Record<string, string>): Promise<MarkedObject[]> {
  const ca = readFileSync(env.PVE_CA!, "utf8");
  const world = (await retrying("read the Proxmox world", () => getJson(`${env.PVE_ENDPOINT}/_sim/world`, ca))) as { vms: Record<string, { vmid: number; node?: string; conf: Record<string, unknown> }> };
  const out: MarkedObject[] = [];
  for (const vm of Object.values(world.vms)) {
    const m = proxmoxMarker(vm.conf.description);
    if (!m) continue;
    out.push({ provider: "pve", type: "vm", id: String(vm.vmid), name: String(vm.conf.name ?? ""), ...m, memory: Number(vm.conf.memory), cores: Number(vm.conf.cores ?? 1) });
  }
  return out;
}

/** A logged-in JSON-RPC session with the TrueNAS simulator (one login for the whole trial: logins are rate limited). */
export class TruenasReader {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private env: Record<string, string>) {}

  /** Points the reader at a restarted simulator. */
  reset(env: Record<string, string>): void {
    this.close();
    this.env = env;
  }

  close(): void {
    this.ws?.terminate();
    this.ws = undefined;
  }

  private async connect(): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return this.ws;
    this.close();
    const ws = new WebSocket(`${this.env.NAS_ENDPOINT}/api/current`, { ca: readFileSync(this.env.NAS_CA!, "utf8") });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    ws.on("error", () => {});
    ws.on("close", () => {
      for (const p of this.pending.values()) p.reject(new Error("socket closed"));
      this.pending.clear();
    });
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message?: string; data?: { reason?: string } } };
      if (typeof msg.id !== "number") return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.data?.reason ?? msg.error.message ?? "error"));
      else p.resolve(msg.result);
    });
    this.ws = ws;
    const ok = await this.send("auth.login_with_api_key", [this.env.NAS_KEY]);
    if (ok !== true) throw new Error("the TrueNAS simulator refused the API key");
    return ws;
  }

  private send(method: string, params: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws!.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  /** One call, reconnecting and retrying on the simulator's injected busy errors. */
  call(method: string, params: unknown[] = []): Promise<unknown> {
    return retrying(`TrueNAS ${method}`, async () => {
      await this.connect();
      return this.send(method, params);
    });
  }

  /** VMs and datasets with a marker. */
  async objects(): Promise<MarkedObject[]> {
    const out: MarkedObject[] = [];
    for (const vm of (await this.call("vm.query")) as Array<Record<string, unknown>>) {
      const m = truenasMarker(vm.description);
      if (m) out.push({ provider: "nas", type: "vm", id: String(vm.id), name: String(vm.name), ...m, memory: Number(vm.memory), cores: Number(vm.cores ?? 1) });
    }
    for (const ds of (await this.call("pool.dataset.query", [[], { extra: { properties: ["comments"] } }])) as Array<Record<string, unknown>>) {
      const comments = (ds.comments as { value?: unknown } | undefined)?.value ?? ds.comments;
      const m = truenasMarker(comments);
      if (m) out.push({ provider: "nas", type: "dataset", id: String(ds.id), name: String(ds.name ?? ds.id), ...m });
    }
    return out;
  }
}

const AZURE_TYPES: Array<{ type: string; path: string; version: string }> = [
  { type: "vm", path: "Microsoft.Compute/virtualMachines", version: "2024-07-01" },
  { type: "nic", path: "Microsoft.Network/networkInterfaces", version: "2024-05-01" },
  { type: "public-ip", path: "Microsoft.Network/publicIPAddresses", version: "2024-05-01" },
  { type: "disk", path: "Microsoft.Compute/disks", version: "2024-03-02" },
];

/** Azure VMs, NICs, public IPs and disks with the marker tags, listed across the subscription. */
export async function azureObjects(env: Record<string, string>): Promise<MarkedObject[]> {
  const ca = readFileSync(env.AZ_CA!, "utf8");
  const headers = { authorization: `Bearer ${env.AZ_TOKEN}` };
  const out: MarkedObject[] = [];
  for (const t of AZURE_TYPES) {
    let url: string | undefined = `${env.AZ_ENDPOINT}/subscriptions/${env.AZ_SUB}/providers/${t.path}?api-version=${t.version}`;
    while (url) {
      const page = (await retrying(`list ${t.path}`, () => getJson(url!, ca, headers))) as { value: Array<Record<string, any>>; nextLink?: string };
      for (const r of page.value) {
        const tags = (r.tags ?? {}) as Record<string, string>;
        if (tags["vmsync-stack"] === undefined || tags["vmsync-address"] === undefined) continue;
        out.push({
          provider: "cloud", type: t.type, id: String(r.id), name: String(r.name), stack: tags["vmsync-stack"], address: tags["vmsync-address"],
          ...(t.type === "vm" ? { size: String(r.properties?.hardwareProfile?.vmSize ?? "") } : {}),
        });
      }
      url = page.nextLink;
    }
  }
  return out;
}
