import { posix } from "node:path";
import type { Duplex } from "node:stream";
import type { Connection, ParsedKey, SFTPWrapper } from "ssh2";
import { Server, utils } from "../../guest/ssh/ssh2.js";
import type { SimNode } from "./directory.js";

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/**
 * The SSH server of a simulated hypervisor node: `root` logs in with the simulator's key, and the
 * `sftp` subsystem (SFTP v3 as OpenSSH's sftp-server answers it) reaches the files the node exposes
 * (its storages' snippet folders). A rename onto an existing file fails, as in SFTP v3.
 */
export function nodeServer(node: SimNode, hostKey: string, login: ParsedKey): { serve(stream: Duplex): void; close(): void } {
  const server = new Server({ hostKeys: [hostKey], ident: "OpenSSH_9.2p1 Debian-2+deb12u3" }, (client: Connection) => {
    client.on("error", () => undefined);
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey" || ctx.username !== "root" || !login.getPublicSSH().equals(ctx.key.data)) return ctx.reject(["publickey"]);
      if (!ctx.signature) return ctx.accept();
      return login.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : ctx.reject(["publickey"]);
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("sftp", (accept) => serveSftp(accept(), node));
        session.on("subsystem", (_a, reject) => reject());
        session.on("exec", (_a, reject) => reject());
        session.on("shell", (_a, reject) => reject());
      });
    });
  });
  return { serve: (stream) => server.injectSocket(stream as never), close: () => server.close() };
}

interface Handle {
  path: string;
  write: boolean;
  data: Buffer;
  read?: number;
}

function serveSftp(sftp: SFTPWrapper, node: SimNode): void {
  const handles = new Map<string, Handle>();
  let next = 0;
  const norm = (p: string) => posix.resolve("/root", p);
  const attrsOf = (path: string) => {
    const now = Math.floor(Date.now() / 1000);
    if (node.files.isDir(path)) return { mode: 0o40755, uid: 0, gid: 0, size: 4096, atime: now, mtime: now };
    const text = node.files.read(path);
    return text === undefined ? undefined : { mode: 0o100644, uid: 0, gid: 0, size: Buffer.byteLength(text), atime: now, mtime: now };
  };
  sftp.on("OPEN", (id, filename, flags) => {
    const path = norm(filename);
    const write = (flags & OPEN_MODE.WRITE) !== 0;
    if (write && !node.files.isDir(posix.dirname(path))) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, "No such file");
    const existing = node.files.read(path);
    if (!write && existing === undefined) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, "No such file");
    if (write && existing !== undefined && (flags & OPEN_MODE.EXCL) !== 0) return sftp.status(id, STATUS_CODE.FAILURE, "File exists");
    const key = Buffer.from(String(next++));
    const keep = write && (flags & OPEN_MODE.TRUNC) === 0 && existing !== undefined;
    handles.set(key.toString(), { path, write, data: Buffer.from(write && !keep ? "" : (existing ?? "")) });
    sftp.handle(id, key);
  });
  sftp.on("WRITE", (id, handle, offset, data) => {
    const h = handles.get(handle.toString());
    if (!h?.write) return sftp.status(id, STATUS_CODE.FAILURE);
    const end = offset + data.length;
    const buf = Buffer.alloc(Math.max(h.data.length, end));
    h.data.copy(buf);
    data.copy(buf, offset);
    h.data = buf;
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on("READ", (id, handle, offset, len) => {
    const h = handles.get(handle.toString());
    if (!h) return sftp.status(id, STATUS_CODE.FAILURE);
    if (offset >= h.data.length) return sftp.status(id, STATUS_CODE.EOF);
    sftp.data(id, h.data.subarray(offset, offset + len));
  });
  sftp.on("FSTAT", (id, handle) => {
    const h = handles.get(handle.toString());
    if (!h) return sftp.status(id, STATUS_CODE.FAILURE);
    sftp.attrs(id, { mode: 0o100644, uid: 0, gid: 0, size: h.data.length, atime: 0, mtime: 0 });
  });
  sftp.on("FSETSTAT", (id) => sftp.status(id, STATUS_CODE.OK));
  sftp.on("CLOSE", (id, handle) => {
    const h = handles.get(handle.toString());
    if (!h) return sftp.status(id, STATUS_CODE.FAILURE);
    handles.delete(handle.toString());
    if (!h.write) return sftp.status(id, STATUS_CODE.OK);
    const done = node.files.write(h.path, h.data.toString("utf8"));
    sftp.status(id, done === true ? STATUS_CODE.OK : STATUS_CODE.FAILURE, done === true ? undefined : done);
  });
  const stat = (id: number, path: string) => {
    const a = attrsOf(norm(path));
    if (a) sftp.attrs(id, a);
    else sftp.status(id, STATUS_CODE.NO_SUCH_FILE, "No such file");
  };
  sftp.on("STAT", stat);
  sftp.on("LSTAT", stat);
  sftp.on("REALPATH", (id, path) => sftp.name(id, [{ filename: norm(path), longname: norm(path), attrs: {} as never }]));
  sftp.on("REMOVE", (id, path) => sftp.status(id, node.files.remove(norm(path)) ? STATUS_CODE.OK : STATUS_CODE.NO_SUCH_FILE));
  sftp.on("RENAME", (id, from, to) => {
    const text = node.files.read(norm(from));
    if (text === undefined) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, "No such file");
    if (node.files.read(norm(to)) !== undefined) return sftp.status(id, STATUS_CODE.FAILURE, "Failure");
    const done = node.files.write(norm(to), text);
    if (done !== true) return sftp.status(id, STATUS_CODE.FAILURE, done);
    node.files.remove(norm(from));
    sftp.status(id, STATUS_CODE.OK);
  });
  for (const op of ["OPENDIR", "READDIR", "RMDIR", "READLINK", "SETSTAT", "MKDIR", "SYMLINK"] as const) {
    sftp.on(op as "OPENDIR", (id: number) => sftp.status(id, STATUS_CODE.OP_UNSUPPORTED));
  }
}
