import type { Duplex } from "node:stream";
import { Client, utils } from "./ssh2.js";
import type { ClientChannel, ConnectConfig } from "ssh2";
import { GuestError } from "./errors.js";
import { fingerprintOf } from "./fingerprint.js";

/**
 * One SSH login: where, as whom, with which key (already read from its `{env}`/`{file}` reference;
 * it is handed to ssh2 and never logged), and which host key to expect. Without `hostKey` the key
 * the server shows is accepted and reported back (`SshConnection.fingerprint`), for the caller to
 * record: trust on first use.
 */
export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  privateKey: string;
  passphrase?: string;
  hostKey?: string;
  /** Where `hostKey` comes from, for the mismatch message. */
  hostKeySource?: "pinned in the manifest" | "recorded in state on first use";
}

/** How to open a connection: an optional bastion (its host key must be known), a deadline, cancellation. */
export interface SshOptions {
  via?: SshEndpoint & { hostKey: string };
  /** The whole login (bastion, TCP, handshake, authentication) must finish within this. */
  connectTimeoutMs: number;
  signal?: AbortSignal;
  /** What is being reached, for messages: "the guest of VirtualMachine/web-1". */
  what: string;
  /** Bastion connections shared by the logins of a session (one handshake per bastion, not per guest). */
  bastions?: { forward(via: SshEndpoint & { hostKey: string }, target: SshEndpoint, what: string, timeoutMs: number): Promise<Duplex> };
}

/** What a command did. `code` is null when it was ended by a signal. */
export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The file operations vmsync does over SFTP (snippet uploads to Proxmox nodes). */
export interface SftpFiles {
  exists(path: string): Promise<boolean>;
  write(path: string, content: string): Promise<void>;
  /** SFTP v3 rename: fails when `to` exists. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; succeeds when it is already gone. */
  remove(path: string): Promise<void>;
}

/** An open, authenticated SSH connection. `close()` is idempotent. */
export interface SshConnection {
  /** The fingerprint of the host key the server showed. */
  readonly fingerprint: string;
  /** Runs one command line (the remote user's shell parses it); `stdin` is written, then closed. */
  exec(command: string, opts?: { stdin?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** Opens the SFTP subsystem. */
  sftp(): Promise<SftpFiles>;
  close(): void;
}

/** Most bytes one command may print before it is cut off as misbehaving. */
const MAX_OUTPUT = 4 * 1024 * 1024;
const DEFAULT_EXEC_TIMEOUT_MS = 120_000;

/**
 * Opens an SSH connection, through the bastion when one is given (a `direct-tcpip` forward, the
 * guest's own host key still checked end to end). Never hangs: the login has a deadline and the
 * connection keepalives. Failures are GuestErrors: GUEST_TIMEOUT, GUEST_UNREACHABLE,
 * GUEST_AUTH_FAILED, GUEST_HOST_KEY_MISMATCH (naming both fingerprints), GUEST_BAD_KEY.
 */
export async function openSsh(target: SshEndpoint, opts: SshOptions): Promise<SshConnection> {
  const where = `${target.host}:${target.port}`;
  const clients: Client[] = [];
  const abandon = () => clients.forEach((c) => c.destroy());
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandon();
      reject(new GuestError(`cannot reach ${opts.what} at ${where}: no SSH login within ${Math.round(opts.connectTimeoutMs / 1000)}s (timed out)`, "GUEST_TIMEOUT"));
    }, opts.connectTimeoutMs);
  });
  const onAbort = () => abandon();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const login = async () => {
      let sock: Duplex | undefined;
      if (opts.via && opts.bastions) sock = await opts.bastions.forward(opts.via, target, opts.what, opts.connectTimeoutMs);
      else if (opts.via) {
        const bastion = await handshake(opts.via, undefined, clients, `the bastion ${opts.via.host}:${opts.via.port} (for ${opts.what})`);
        sock = await forward(bastion.client, target, opts.what);
      }
      return handshake(target, sock, clients, opts.what);
    };
    const guest = await Promise.race([login(), deadline]);
    if (opts.signal?.aborted) throw new GuestError(`cancelled while connecting to ${opts.what}`, "GUEST_TIMEOUT");
    return connection(guest.client, guest.fingerprint, clients, opts.what);
  } catch (err) {
    abandon();
    throw err;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

/** Connects one client (over `sock` when given) and authenticates; resolves once it is ready. */
export function handshake(target: SshEndpoint, sock: Duplex | undefined, clients: Client[], what: string): Promise<{ client: Client; fingerprint: string }> {
  const where = `${target.host}:${target.port}`;
  const parsed = utils.parseKey(target.privateKey, target.passphrase);
  if (parsed instanceof Error || (Array.isArray(parsed) && parsed.length === 0)) {
    const detail = parsed instanceof Error ? parsed.message : "no key found";
    return Promise.reject(new GuestError(`cannot use the private key for ${what}: ${detail}`, "GUEST_BAD_KEY"));
  }
  return new Promise((resolve, reject) => {
    const client = new Client();
    clients.push(client);
    let seen: string | undefined;
    let mismatch = false;
    const config: ConnectConfig = {
      host: target.host, port: target.port, username: target.user, privateKey: target.privateKey,
      ...(target.passphrase !== undefined ? { passphrase: target.passphrase } : {}),
      ...(sock ? { sock } : {}),
      readyTimeout: 2_147_000_000, // the caller's deadline governs
      keepaliveInterval: 5_000, keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key);
        mismatch = target.hostKey !== undefined && seen !== target.hostKey;
        return !mismatch;
      },
    };
    client.once("ready", () => resolve({ client, fingerprint: seen! }));
    // `on`, not `once`: ssh2 may emit more errors later (a dropped connection) and an unheard one would crash
    client.on("error", (err: Error & { level?: string; code?: string }) => {
      if (mismatch) {
        reject(new GuestError(`refusing ${what} at ${where}: its host key is ${seen}, but ${target.hostKey} is ${target.hostKeySource ?? "expected"} — the machine was rebuilt or someone is in between; if the change is expected, pin the new key in guest.ssh.hostKey (or run \`vmsync state rm\` on the guest to trust the next key on first use)`, "GUEST_HOST_KEY_MISMATCH"));
      } else reject(classify(err, what, where, target.user));
    });
    client.on("close", () => reject(new GuestError(`cannot reach ${what} at ${where}: the connection closed before login`, "GUEST_UNREACHABLE")));
    try {
      client.connect(config);
    } catch (err) {
      reject(new GuestError(`cannot connect to ${what} at ${where}: ${(err as Error).message}`, "GUEST_BAD_KEY"));
    }
  });
}

/** Opens a TCP forward from the bastion to the target. */
export function forward(bastion: Client, target: SshEndpoint, what: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    bastion.forwardOut("127.0.0.1", 0, target.host, target.port, (err, channel) => {
      if (err) reject(new GuestError(`cannot reach ${what} at ${target.host}:${target.port}: the bastion could not connect (${err.message.replace(/^\(SSH\) /, "")})`, "GUEST_UNREACHABLE"));
      else resolve(channel);
    });
  });
}

/** Maps an ssh2 error to a GuestError by its `level` and socket `code` (never by its text). */
function classify(err: Error & { level?: string; code?: string }, what: string, where: string, user: string): GuestError {
  switch (err.level) {
    case "client-authentication":
      return new GuestError(`cannot log in to ${what} at ${where} as ${user}: the key was refused (wrong key, or it is not in that user's authorized_keys)`, "GUEST_AUTH_FAILED", err);
    case "client-timeout":
      return new GuestError(`cannot reach ${what} at ${where}: the connection stopped answering (timed out)`, "GUEST_TIMEOUT", err);
    case "client-dns":
      return new GuestError(`cannot reach ${what}: the host name ${where} does not resolve`, "GUEST_UNREACHABLE", err);
    case "client-socket":
      return new GuestError(`cannot reach ${what} at ${where}: ${err.code ?? "socket error"}`, err.code === "ETIMEDOUT" ? "GUEST_TIMEOUT" : "GUEST_UNREACHABLE", err);
    default:
      return new GuestError(`cannot talk SSH with ${what} at ${where}: ${err.message}`, "GUEST_PROTOCOL", err);
  }
}

/** Wraps a ready client: exec with output limits and a per-command deadline. */
function connection(client: Client, fingerprint: string, clients: Client[], what: string): SshConnection {
  let closed = false;
  return {
    fingerprint,
    exec(command, opts = {}) {
      return new Promise<ExecResult>((resolve, reject) => {
        const limit = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
        client.exec(command, (err, stream) => {
          if (err) return reject(new GuestError(`cannot run \`${command}\` on ${what}: ${err.message}`, "GUEST_PROTOCOL", err));
          let stdout = "";
          let stderr = "";
          let size = 0;
          const timer = setTimeout(() => {
            stream.close();
            reject(new GuestError(`\`${command}\` on ${what} did not finish within ${Math.round(limit / 1000)}s (timed out)`, "GUEST_TIMEOUT"));
          }, limit);
          const take = (chunk: Buffer, to: "out" | "err") => {
            size += chunk.length;
            if (size > MAX_OUTPUT) {
              stream.close();
              return;
            }
            if (to === "out") stdout += chunk.toString("utf8");
            else stderr += chunk.toString("utf8");
          };
          stream.on("data", (c: Buffer) => take(c, "out"));
          stream.stderr.on("data", (c: Buffer) => take(c, "err"));
          stream.on("close", (code: number | null) => {
            clearTimeout(timer);
            if (size > MAX_OUTPUT) reject(new GuestError(`\`${command}\` on ${what} printed more than ${MAX_OUTPUT} bytes`, "GUEST_PROTOCOL"));
            else resolve({ code: typeof code === "number" ? code : null, stdout, stderr });
          });
          stream.end(opts.stdin ?? "");
        });
      });
    },
    sftp() {
      return new Promise<SftpFiles>((resolve, reject) => {
        client.sftp((err, sftp) => {
          if (err) return reject(new GuestError(`cannot open SFTP on ${what}: ${err.message}`, "GUEST_PROTOCOL", err));
          const fail = (doing: string) => (e: Error) => new GuestError(`cannot ${doing} on ${what} over SFTP: ${e.message}`, "GUEST_COMMAND_FAILED", e);
          const NO_SUCH_FILE = 2;
          resolve({
            exists: (path) => new Promise((ok, ko) => sftp.stat(path, (e) => (!e ? ok(true) : (e as Error & { code?: number }).code === NO_SUCH_FILE ? ok(false) : ko(fail(`check ${path}`)(e))))),
            write: (path, content) => new Promise((ok, ko) => sftp.writeFile(path, content, (e) => (e ? ko(fail(`write ${path}`)(e)) : ok()))),
            rename: (from, to) => new Promise((ok, ko) => sftp.rename(from, to, (e) => (e ? ko(fail(`rename ${from} to ${to}`)(e)) : ok()))),
            remove: (path) => new Promise((ok, ko) => sftp.unlink(path, (e) => (!e || (e as Error & { code?: number }).code === NO_SUCH_FILE ? ok() : ko(fail(`remove ${path}`)(e))))),
          });
        });
      });
    },
    close() {
      if (closed) return;
      closed = true;
      for (const c of clients) c.end();
    },
  };
}
