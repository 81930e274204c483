import type { Duplex } from "node:stream";
import { Server, utils } from "../../guest/ssh/ssh2.js";
import type { Connection, ServerChannel } from "ssh2";
import { GuestFs } from "./guest-fs.js";
import type { GuestRecord } from "./guest-world.js";
import { runCommand, type ShellContext } from "./shell.js";

/** What a guest's SSH server needs from the simulator around it. */
export interface GuestHost {
  /** The guest's record, or undefined when it is gone, stopped or rebooted since `bootId`. */
  current(key: string, bootId: string): GuestRecord | undefined;
  busy(key: string): Set<string>;
  nfsAccess(key: string, source: string): true | string;
  changed(): void;
}

/** The home folder of a user in the simulated image. */
export function homeOf(user: string): string {
  return user === "root" ? "/root" : `/home/${user}`;
}

/**
 * True when `key` (the client's public key blob) is in the user's authorized_keys and, when the
 * client sent a signature, the signature over `blob` verifies — OpenSSH's publickey method.
 */
function authorizes(record: GuestRecord, user: string, key: { algo: string; data: Buffer }, signed?: { blob: Buffer; signature: Buffer; hashAlgo?: string }): boolean {
  const file = record.fs[`${homeOf(user)}/.ssh/authorized_keys`];
  if (file?.type !== "file") return false;
  for (const line of (file.content ?? "").split("\n")) {
    const text = line.trim();
    if (!text || text.startsWith("#")) continue;
    const parsed = utils.parseKey(text);
    if (parsed instanceof Error || Array.isArray(parsed)) continue;
    if (!parsed.getPublicSSH().equals(key.data)) continue;
    if (!signed) return true;
    return parsed.verify(signed.blob, signed.signature, signed.hashAlgo) === true;
  }
  return false;
}

/**
 * The SSH server inside one simulated guest, fed connections the bastion forwards
 * (`injectSocket`): its own host key, public-key login against the user's authorized_keys, and
 * exec requests run by the guest's small shell. A connection ends when the guest stops or reboots.
 */
export function guestServer(key: string, record: GuestRecord, host: GuestHost): { serve(stream: Duplex): void; close(): void } {
  const bootId = record.bootId ?? "";
  const server = new Server({ hostKeys: [record.hostKey], ident: "OpenSSH_9.6p1 Ubuntu-3ubuntu13" }, (client: Connection) => {
    let user = "";
    client.on("error", () => undefined);
    client.on("authentication", (ctx) => {
      const r = host.current(key, bootId);
      if (!r || ctx.method !== "publickey") return ctx.reject(["publickey"]);
      const signed = ctx.signature ? { blob: ctx.blob!, signature: ctx.signature, ...(ctx.hashAlgo ? { hashAlgo: ctx.hashAlgo } : {}) } : undefined;
      if (!authorizes(r, ctx.username, ctx.key, signed)) return ctx.reject(["publickey"]);
      user = ctx.username;
      ctx.accept();
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("exec", (accept, _reject, info) => {
          const stream = accept();
          let stdin = "";
          stream.on("data", (d: Buffer) => (stdin += d.toString("utf8")));
          stream.on("end", () => run(stream, info.command, stdin));
        });
        session.on("pty", (_a, reject) => reject?.());
        session.on("shell", (_a, reject) => reject());
        session.on("subsystem", (_a, reject) => reject());
      });
    });
    const run = (stream: ServerChannel, command: string, stdin: string) => {
      const r = host.current(key, bootId);
      if (!r) {
        client.end();
        return;
      }
      const ctx: ShellContext = {
        fs: new GuestFs(r.fs), user, home: homeOf(user), sudoer: user === "root" || r.sudoers.includes(user), mounts: r.mounts,
        busy: host.busy(key), nfsAccess: (source) => host.nfsAccess(key, source), changed: () => host.changed(),
      };
      const result = runCommand(command, stdin, ctx);
      if (result.stdout) stream.write(result.stdout);
      if (result.stderr) stream.stderr.write(result.stderr);
      stream.exit(result.code);
      stream.end();
    };
  });
  return {
    serve: (stream) => server.injectSocket(stream as never),
    close: () => server.close(),
  };
}
