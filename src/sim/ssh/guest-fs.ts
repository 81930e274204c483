import { posix } from "node:path";

/** One file or directory: owner (a user name), octal mode, and for files their text. */
export interface FsNode {
  type: "file" | "dir";
  owner: string;
  mode: number;
  content?: string;
}

/** The persisted form of a guest's file system: path → node. */
export type FsData = Record<string, FsNode>;

/** Why a file operation failed, in the words of coreutils (`No such file or directory`, …). */
export class FsError extends Error {
  constructor(readonly reason: "ENOENT" | "EACCES" | "EEXIST" | "ENOTDIR" | "EISDIR") {
    super(
      { ENOENT: "No such file or directory", EACCES: "Permission denied", EEXIST: "File exists", ENOTDIR: "Not a directory", EISDIR: "Is a directory" }[reason],
    );
  }
}

/**
 * A small POSIX-like file system for a simulated guest: absolute paths, directories, text files,
 * owners and modes, with the permission rules the commands vmsync sends run into (root may do
 * anything; others need write permission on the directory, read permission on the file).
 */
export class GuestFs {
  constructor(readonly data: FsData) {}

  static normalise(path: string, cwd: string): string {
    return posix.resolve(cwd, path);
  }

  node(path: string): FsNode | undefined {
    return this.data[path];
  }

  private parentWritable(path: string, user: string): void {
    const parent = this.data[posix.dirname(path)];
    if (!parent) throw new FsError("ENOENT");
    if (parent.type !== "dir") throw new FsError("ENOTDIR");
    if (!canWrite(parent, user)) throw new FsError("EACCES");
  }

  read(path: string, user: string): string {
    const n = this.data[path];
    if (!n) throw new FsError("ENOENT");
    if (n.type === "dir") throw new FsError("EISDIR");
    if (!canRead(n, user)) throw new FsError("EACCES");
    return n.content ?? "";
  }

  write(path: string, content: string, user: string): void {
    const n = this.data[path];
    if (n?.type === "dir") throw new FsError("EISDIR");
    if (n) {
      if (!canWrite(n, user)) throw new FsError("EACCES");
      n.content = content;
      return;
    }
    this.parentWritable(path, user);
    this.data[path] = { type: "file", owner: user, mode: 0o644, content };
  }

  mkdirP(path: string, user: string, mode = 0o755): void {
    if (path === "/") return;
    const n = this.data[path];
    if (n) {
      if (n.type !== "dir") throw new FsError("EEXIST");
      return;
    }
    this.mkdirP(posix.dirname(path), user, mode);
    this.parentWritable(path, user);
    this.data[path] = { type: "dir", owner: user, mode };
  }

  chmod(path: string, mode: number, user: string): void {
    const n = this.data[path];
    if (!n) throw new FsError("ENOENT");
    if (user !== "root" && n.owner !== user) throw new FsError("EACCES");
    n.mode = mode;
  }

  /** rename(2): replaces a file at `to` in one step. */
  rename(from: string, to: string, user: string): void {
    const n = this.data[from];
    if (!n) throw new FsError("ENOENT");
    if (n.type === "dir") throw new FsError("EISDIR");
    this.parentWritable(from, user);
    this.parentWritable(to, user);
    if (this.data[to]?.type === "dir") throw new FsError("EISDIR");
    this.data[to] = n;
    delete this.data[from];
  }

  remove(path: string, user: string): void {
    const n = this.data[path];
    if (!n) return;
    if (n.type === "dir") throw new FsError("EISDIR");
    this.parentWritable(path, user);
    delete this.data[path];
  }
}

function canRead(n: FsNode, user: string): boolean {
  return user === "root" || (n.owner === user ? (n.mode & 0o400) !== 0 : (n.mode & 0o004) !== 0);
}

function canWrite(n: FsNode, user: string): boolean {
  return user === "root" || (n.owner === user ? (n.mode & 0o200) !== 0 : (n.mode & 0o002) !== 0);
}
