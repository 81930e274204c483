import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { utils } from "../../src/guest/ssh/ssh2.js";
import { generateEd25519 } from "../../src/guest/ssh/keygen.js";

/** Debian's OpenSSH server; `.ci/install-packages` installs `openssh-server` when it is missing. */
export const SSHD = "/usr/sbin/sshd";

/** A private OpenSSH server for one test file: its folder, port, keys, and the files it reads. */
export interface OpenSsh {
  dir: string;
  port: number;
  /** The client key the server accepts (in `authorizedKeys`), OpenSSH private format. */
  clientKey: { private: string; public: string };
  /** The server's AuthorizedKeysFile: a file in `dir`, never the machine's own. */
  authorizedKeys: string;
  /** Makes the server present a new host key from the next connection on. */
  rekey(): Promise<void>;
  /** The current host key's public line. */
  hostPublic(): string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's sshd on a loopback port chosen by the OS without racing for it: a Node TCP
 * server on port 0 hands each connection to its own `sshd -i` (inetd mode) with a private
 * configuration in a mkdtemp folder (host key, AuthorizedKeysFile, no PAM, no passwords). Nothing of
 * the machine's own SSH setup is read or written; `stop()` ends every sshd and removes the folder.
 */
export async function startOpenSsh(): Promise<OpenSsh> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: run .ci/install-packages as root (Debian openssh-server) to run the real-OpenSSH tests`);
  // sshd's privilege separation needs its empty chroot folder; the Debian service creates it at start
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), "vmsync-sshd-"));
  const hostKeyFile = join(dir, "host_ed25519");
  let host = generateEd25519();
  const writeHostKey = async () => {
    await writeFile(hostKeyFile, host.private, { mode: 0o600 });
    await chmod(hostKeyFile, 0o600);
  };
  await writeHostKey();
  const clientKey = generateEd25519({ comment: "vmsync-test" });
  const authorizedKeys = join(dir, "authorized_keys");
  await writeFile(authorizedKeys, `${clientKey.public}\n`, { mode: 0o600 });
  const config = join(dir, "sshd_config");
  await writeFile(config, [
    `HostKey ${hostKeyFile}`, `AuthorizedKeysFile ${authorizedKeys}`, "PidFile none", "StrictModes no", "UsePAM no",
    "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "PermitRootLogin prohibit-password",
    "AllowTcpForwarding yes", "LogLevel ERROR", "PrintMotd no", "",
  ].join("\n"));
  const children = new Set<ChildProcess>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const child = spawn(SSHD, ["-i", "-e", "-f", config], { stdio: ["pipe", "pipe", process.env.SSHD_DEBUG ? "inherit" : "ignore"] });
    children.add(child);
    child.on("error", () => socket.destroy());
    child.stdin!.on("error", () => undefined); // the client may still write after sshd ended the session
    socket.pipe(child.stdin!);
    child.stdout!.pipe(socket);
    child.on("exit", () => {
      children.delete(child);
      socket.destroy();
    });
    socket.on("error", () => child.kill());
    socket.on("close", () => child.kill());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    dir, port, clientKey, authorizedKeys,
    rekey: async () => {
      host = generateEd25519();
      await writeHostKey();
    },
    hostPublic: () => host.public,
    stop: async () => {
      for (const c of children) c.kill();
      for (const so of sockets) so.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
