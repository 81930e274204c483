/**
 * The guest layer's transport and file edits against a real OpenSSH server (Debian's sshd, started
 * privately on a loopback port by test/helpers/openssh.ts). Everything vmsync changes here is a file
 * in the test's mkdtemp folder — the sshd's own AuthorizedKeysFile and a private fstab — never the
 * machine's /etc/fstab, mounts or ~/.ssh; no mount is ever attempted.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { converge } from "../../../src/guest/converge.js";
import { readGuest, viewOf } from "../../../src/guest/read.js";
import { GuestShell, type GuestLayout } from "../../../src/guest/shell.js";
import { openSsh, type SshEndpoint } from "../../../src/guest/ssh/connect.js";
import { isGuestError } from "../../../src/guest/ssh/errors.js";
import { fingerprintOfLine } from "../../../src/guest/ssh/fingerprint.js";
import { utils } from "../../../src/guest/ssh/ssh2.js";
import { generateEd25519 } from "../../../src/guest/ssh/keygen.js";
import { startOpenSsh, type OpenSsh } from "../../helpers/openssh.js";

let sshd: OpenSsh;
let silent: Server;
const held = new Set<Socket>();
const OPS = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbn6uYjHU2ffbmljt3vBW8MbIfzRH7T2ZuOYRb4UX+n ops@example.com";
const owner = { stack: "real", address: "VirtualMachine/box@guest" };

const endpoint = (o: Partial<SshEndpoint> = {}): SshEndpoint => ({ host: "127.0.0.1", port: sshd.port, user: "root", privateKey: sshd.clientKey.private, ...o });
const open = (o: Partial<SshEndpoint> = {}, timeoutMs = 10_000) => openSsh(endpoint(o), { connectTimeoutMs: timeoutMs, what: "the test guest" });
const layout = (): GuestLayout => ({ fstab: join(sshd.dir, "fstab"), authorizedKeys: sshd.authorizedKeys, sudo: false });
const failure = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

beforeAll(async () => {
  sshd = await startOpenSsh();
  await writeFile(join(sshd.dir, "fstab"), "UUID=abc / ext4 defaults 0 1\n");
  silent = createServer((socket) => held.add(socket)); // accepts TCP, never speaks SSH
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
});
afterAll(async () => {
  await sshd?.stop();
  for (const so of held) so.destroy();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
});

describe("the SSH transport against OpenSSH", () => {
  it("logs in with the key, reports the host key's fingerprint and runs commands", async () => {
    const conn = await open();
    try {
      expect(conn.fingerprint).toBe(fingerprintOfLine(sshd.hostPublic()));
      expect(await conn.exec("printf '%s' \"$0\"")).toMatchObject({ code: 0 });
      const r = await conn.exec("exit 3");
      expect(r.code).toBe(3);
    } finally {
      conn.close();
    }
  });

  it("accepts the pinned host key and refuses a changed one, naming both fingerprints", async () => {
    const old = fingerprintOfLine(sshd.hostPublic())!;
    (await open({ hostKey: old, hostKeySource: "pinned in the manifest" })).close();
    await sshd.rekey();
    const err = await failure(open({ hostKey: old, hostKeySource: "recorded in state on first use" }));
    expect(isGuestError(err, "GUEST_HOST_KEY_MISMATCH")).toBe(true);
    expect((err as Error).message).toContain(old);
    expect((err as Error).message).toContain(fingerprintOfLine(sshd.hostPublic())!);
    expect((err as Error).message).toContain("recorded in state on first use");
  });

  it("says a wrong key was refused, for that user", async () => {
    const err = await failure(open({ privateKey: generateEd25519().private }));
    expect(isGuestError(err, "GUEST_AUTH_FAILED")).toBe(true);
    expect((err as Error).message).toContain("as root");
  });

  it("never hangs: a server that never answers, a closed port and a command that runs too long all end with a clear error", async () => {
    const hung = await failure(open({ port: (silent.address() as AddressInfo).port }, 1_500));
    expect(isGuestError(hung, "GUEST_TIMEOUT")).toBe(true);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(isGuestError(await failure(open({ port })), "GUEST_UNREACHABLE")).toBe(true);
    const conn = await open();
    try {
      const slow = await failure(conn.exec("sleep 30", { timeoutMs: 500 }));
      expect(isGuestError(slow, "GUEST_TIMEOUT")).toBe(true);
      expect((slow as Error).message).toContain("sleep 30");
    } finally {
      conn.close();
    }
  });

  it("reaches the server through itself as a bastion (direct-tcpip), checking both host keys", async () => {
    const fp = fingerprintOfLine(sshd.hostPublic())!;
    const conn = await openSsh(endpoint({ hostKey: fp }), { via: { ...endpoint(), hostKey: fp }, connectTimeoutMs: 10_000, what: "the test guest" });
    try {
      expect((await conn.exec("true")).code).toBe(0);
    } finally {
      conn.close();
    }
    const wrong = await failure(openSsh(endpoint(), { via: { ...endpoint(), hostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }, connectTimeoutMs: 10_000, what: "the test guest" }));
    expect(isGuestError(wrong, "GUEST_HOST_KEY_MISMATCH")).toBe(true);
  });
});

describe("guest file edits over OpenSSH (private files only)", () => {
  it("reads the files and the live mount table with the exact commands vmsync sends", async () => {
    const conn = await open();
    try {
      const read = await readGuest(new GuestShell(conn, layout(), "the test guest"));
      expect(read.fstab).toBe("UUID=abc / ext4 defaults 0 1\n");
      expect(read.live.get("/")).toBeDefined(); // util-linux findmnt answered
      expect(read.keys).toContain(sshd.clientKey.public.trim());
    } finally {
      conn.close();
    }
  });

  it("rotates authorized keys in vmsync's block, keeping the key it logs in with, atomically and 0600", async () => {
    const conn = await open();
    const shell = new GuestShell(conn, layout(), "the test guest");
    const spec = (keys: string[]) => ({ vm: "VirtualMachine/box", ssh: {} as never, mounts: {}, authorizedKeys: keys });
    try {
      await converge(shell, owner, spec([OPS]), { mounts: new Set(), keys: true });
      const text = await readFile(sshd.authorizedKeys, "utf8");
      expect(text).toBe(`${sshd.clientKey.public.trim()}\n# BEGIN vmsync real VirtualMachine/box@guest\n${OPS}\n# END vmsync real VirtualMachine/box@guest\n`);
      expect((await stat(sshd.authorizedKeys)).mode & 0o777).toBe(0o600);
      expect(viewOf(await readGuest(shell), owner)).toMatchObject({ keys: [OPS], marked: true });
      await converge(shell, owner, spec([]), { mounts: new Set(), keys: true });
      expect(await readFile(sshd.authorizedKeys, "utf8")).toBe(`${sshd.clientKey.public.trim()}\n`);
    } finally {
      conn.close();
    }
    (await open()).close(); // the key it logs in with survived every rewrite
  });

  it("a command failing half-way leaves the file as it was and names the command and its message", async () => {
    const conn = await open();
    const shell = new GuestShell(conn, layout(), "the test guest");
    const fstab = join(sshd.dir, "fstab");
    try {
      const err = await failure(shell.writeAtomic(fstab, "broken\n", "99x"));
      expect(isGuestError(err, "GUEST_COMMAND_FAILED")).toBe(true);
      expect((err as Error).message).toMatch(/`chmod 99x .*\.fstab\.vmsync-tmp` failed on the test guest \(exit 1\): chmod: invalid mode/);
      expect(await readFile(fstab, "utf8")).toBe("UUID=abc / ext4 defaults 0 1\n");
      expect((await conn.exec(`test -e ${join(sshd.dir, ".fstab.vmsync-tmp")}`)).code).toBe(1);
      await shell.writeAtomic(fstab, "UUID=abc / ext4 defaults 0 1\nnas:/x /mnt/x nfs hard 0 0\n", "644");
      expect(await readFile(fstab, "utf8")).toContain("nas:/x /mnt/x");
      expect((await stat(fstab)).mode & 0o777).toBe(0o644);
    } finally {
      conn.close();
    }
  });
});
