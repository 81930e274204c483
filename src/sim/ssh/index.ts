import type { AddressInfo } from "node:net";
import { Server, utils } from "../../guest/ssh/ssh2.js";
import type { Connection } from "ssh2";
import { fingerprintOf } from "../../guest/ssh/fingerprint.js";
import { hasBooted } from "./addresses.js";
import { hostLabel, resolveGuest, type GuestDirectory, type SimGuest } from "./directory.js";
import { nodeServer } from "./node-server.js";
import { guestServer, homeOf, type GuestHost } from "./guest-server.js";
import { GuestWorld, newKeyPair, type GuestRecord } from "./guest-world.js";
import { runCommand, type ShellResult } from "./shell.js";
import { GuestFs } from "./guest-fs.js";

/** The user the simulated bastion accepts (with the image key). */
export const BASTION_USER = "vmsync";

/** Options of `startSshSim`. */
export interface SshSimOptions {
  dir: string;
  port?: number;
  /** The provider simulators whose VMs are the guests. */
  directories: GuestDirectory[];
  /** How long a guest takes from power-on until its sshd answers (ms). */
  bootMs?: () => number;
}

/** Changes "by hand" inside simulated guests, for tests and demos of drift. */
export interface SshSimAdmin {
  /** Runs one command line in the guest at `host` (address or name) as `user` (default root). */
  run(host: string, line: string, user?: string): ShellResult;
  /** A process holds `path` (its working directory is there): unmounting it is refused as busy. */
  hold(host: string, path: string): void;
  release(host: string, path: string): void;
  /** The guest accepts TCP but its sshd never answers (a hung guest): logins time out. */
  hang(host: string, on: boolean): void;
  /** The guest's record (file system, mounts), undefined when unknown. */
  guest(host: string): GuestRecord | undefined;
  /** Gives the guest a new host key (it was rebuilt, or someone answers in its place). */
  rekey(host: string): void;
}

/** A running SSH simulator. */
export interface SshSimHandle {
  /** `127.0.0.1:PORT` of the bastion. */
  endpoint: string;
  port: number;
  /** What a client needs: bastion user, the image/bastion private key (a simulator test secret), the bastion's host key fingerprint. */
  credentials: { host: string; port: string; user: string; privateKey: string; hostKey: string };
  admin: SshSimAdmin;
  close(): Promise<void>;
}

/**
 * Serves the simulated guests over SSH: one bastion on loopback (`direct-tcpip` forwards only,
 * like `ssh -J`) that routes each forward to the guest the simulated network resolves its
 * destination to — in process, so no packet goes to a simulated address — where the guest's own SSH
 * server (its host key, its users' authorized_keys, its shell) answers. A guest that is off,
 * unknown or still booting refuses the forward (connection refused); port 22 only. Hypervisor
 * nodes (Proxmox) answer too, for SFTP to their snippet folders (root, the simulator's key; they
 * show the bastion's host key).
 */
export async function startSshSim(opts: SshSimOptions): Promise<SshSimHandle> {
  const world = await GuestWorld.load(opts.dir);
  const busy = new Map<string, Set<string>>();
  const hung = new Set<string>();
  const servers = new Map<string, ReturnType<typeof guestServer>>();
  const bootMs = opts.bootMs ?? (() => 0);
  const guests = (): SimGuest[] => {
    const all = opts.directories.flatMap((d) => d.guests());
    world.prune(new Set(all.map((g) => g.key)));
    return all;
  };
  const exports = () => opts.directories.flatMap((d) => d.nfsExports());
  const onBoot = (key: string) => (r: GuestRecord) => {
    // at boot, systemd mounts the NFS lines of /etc/fstab whose export answers
    const fstab = r.fs["/etc/fstab"]?.content ?? "";
    for (const f of fstab.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => l.split(/\s+/))) {
      if ((f[2] === "nfs" || f[2] === "nfs4") && !(f[3] ?? "").split(",").includes("noauto") && r.fs[f[1]!]?.type === "dir" && access(f[0]!) === true) {
        runCommand(`mount ${f[1]}`, "", shellOf(key, r, "root"));
      }
    }
  };
  const access = (source: string): true | string => {
    const colon = source.indexOf(":");
    const [server, path] = [source.slice(0, colon), source.slice(colon + 1)];
    return exports().some((e) => e.path === path && e.hosts.includes(server)) ? true : "access denied by server";
  };
  const host: GuestHost = {
    current: (key, bootId) => {
      const g = guests().find((x) => x.key === key);
      return g && g.running && g.bootId === bootId ? world.data.guests[key] : undefined;
    },
    busy: (key) => busy.get(key) ?? new Set(),
    nfsAccess: (_key, source) => access(source),
    changed: () => world.changed(),
  };
  const shellOf = (key: string, r: GuestRecord, user: string) => ({
    fs: new GuestFs(r.fs), user, home: homeOf(user), sudoer: user === "root" || r.sudoers.includes(user), mounts: r.mounts,
    busy: busy.get(key) ?? new Set<string>(), nfsAccess: access, changed: () => world.changed(),
  });
  /** The booted guest at `dest`, or why a forward to it is refused. */
  const route = (dest: string): { g: SimGuest; r: GuestRecord } | undefined => {
    const g = resolveGuest(guests(), dest);
    if (!g || !g.running) return undefined;
    const r = world.machine(g, onBoot(g.key));
    return hasBooted(g.startedAt ?? r.bootSeenAt, bootMs()) ? { g, r } : undefined;
  };
  const imagePublic = utils.parseKey(world.data.imageKey.public);
  const bastionKey = utils.parseKey(world.data.bastionHostKey);
  if (imagePublic instanceof Error || Array.isArray(imagePublic) || bastionKey instanceof Error || Array.isArray(bastionKey)) throw new Error("the SSH simulator's keys cannot be read");
  const nodeServers = new Map<string, ReturnType<typeof nodeServer>>();
  const findNode = (dest: string) => {
    const label = hostLabel(dest);
    return opts.directories.flatMap((d) => d.nodes?.() ?? []).find((n) => n.addresses.includes(dest) || n.names.some((x) => hostLabel(x) === label));
  };
  const clients = new Set<Connection>();
  const bastion = new Server({ hostKeys: [world.data.bastionHostKey], ident: "OpenSSH_9.6p1" }, (client: Connection) => {
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", () => undefined);
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey" || ctx.username !== BASTION_USER || !imagePublic.getPublicSSH().equals(ctx.key.data)) return ctx.reject(["publickey"]);
      if (!ctx.signature) return ctx.accept();
      return imagePublic.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : ctx.reject(["publickey"]);
    });
    client.on("ready", () => {
      client.on("session", (_accept, reject) => reject());
      client.on("tcpip", (accept, reject, info) => {
        const node = info.destPort === 22 ? findNode(info.destIP) : undefined;
        if (node) {
          let s = nodeServers.get(node.names[0]!);
          if (!s) nodeServers.set(node.names[0]!, (s = nodeServer(node, world.data.bastionHostKey, imagePublic)));
          return s.serve(accept());
        }
        const target = info.destPort === 22 ? route(info.destIP) : undefined;
        if (!target) return reject();
        const channel = accept();
        if (hung.has(target.g.key)) return; // accepted, never answered
        const id = `${target.g.key}/${target.r.bootId}`;
        let s = servers.get(id);
        if (!s) servers.set(id, (s = guestServer(target.g.key, target.r, host)));
        s.serve(channel);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    bastion.once("error", reject);
    bastion.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (bastion.address() as AddressInfo).port;
  const find = (h: string) => resolveGuest(guests(), h);
  const admin: SshSimAdmin = {
    run: (h, line, user = "root") => {
      const g = find(h);
      if (!g?.running) return { code: 255, stdout: "", stderr: `ssh: connect to host ${h} port 22: No route to host\n` };
      return runCommand(line, "", shellOf(g.key, world.machine(g, onBoot(g.key)), user));
    },
    hold: (h, path) => {
      const g = find(h);
      if (!g) throw new Error(`no simulated guest ${h}`);
      busy.set(g.key, new Set([...(busy.get(g.key) ?? []), path]));
    },
    release: (h, path) => {
      const g = find(h);
      if (g) busy.get(g.key)?.delete(path);
    },
    hang: (h, on) => {
      const g = find(h);
      if (!g) throw new Error(`no simulated guest ${h}`);
      if (on) hung.add(g.key);
      else hung.delete(g.key);
    },
    guest: (h) => {
      const g = find(h);
      if (!g) return undefined;
      return g.running ? world.machine(g, onBoot(g.key)) : world.data.guests[g.key];
    },
    rekey: (h) => {
      const g = find(h);
      const r = g ? world.data.guests[g.key] : undefined;
      if (!g || !r) throw new Error(`no simulated guest ${h}`);
      r.hostKey = newKeyPair().private;
      for (const [id, s] of servers) if (id.startsWith(`${g.key}/`)) (s.close(), servers.delete(id));
      world.changed();
    },
  };
  let closing: Promise<void> | undefined;
  return {
    endpoint: `127.0.0.1:${port}`,
    port,
    credentials: { host: "127.0.0.1", port: String(port), user: BASTION_USER, privateKey: world.data.imageKey.private, hostKey: fingerprintOf(bastionKey.getPublicSSH()) },
    admin,
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => bastion.close(() => resolve()));
        for (const c of clients) c.end();
        for (const s of servers.values()) s.close();
        for (const s of nodeServers.values()) s.close();
        await stopped;
        await world.flush();
      })();
      return closing;
    },
  };
}
