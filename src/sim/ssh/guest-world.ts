import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { utils } from "../../guest/ssh/ssh2.js";
import { generateEd25519 } from "../../guest/ssh/keygen.js";
import { WorldWriter } from "../world-writer.js";
import type { SimGuest } from "./directory.js";
import type { FsData } from "./guest-fs.js";

/** A mounted file system of a simulated guest (runtime: gone when the guest powers off). */
export interface LiveMountRecord {
  target: string;
  source: string;
  fstype: string;
  options: string;
}

/** One simulated guest: its host key, its disk (file system), what is mounted, which boot it is in. */
export interface GuestRecord {
  name: string;
  /** OpenSSH private host key (ed25519), made at first boot like `ssh-keygen -A`. */
  hostKey: string;
  fs: FsData;
  mounts: LiveMountRecord[];
  /** Users allowed to `sudo -n` (the image's and cloud-init's default user). */
  sudoers: string[];
  bootId?: string;
  /** When this boot was first seen (for guests whose provider does not say when they started). */
  bootSeenAt?: number;
}

/** What `ssh-world.json` holds: the image's login key, the bastion's host key and every guest. */
export interface GuestWorldData {
  version: 1;
  /** The key baked into the simulated image's default user (announced by `vmsync sim`). */
  imageKey: { private: string; public: string };
  bastionHostKey: string;
  guests: Record<string, GuestRecord>;
}

/** The simulated image's default user when cloud-init names none. */
export const IMAGE_USER = "ubuntu";

const FILE = "ssh-world.json";

/** A fresh ed25519 key pair in OpenSSH format. */
export function newKeyPair(): { private: string; public: string } {
  const k = generateEd25519();
  return { private: k.private, public: k.public };
}

/**
 * The persisted guests of the SSH simulator (`ssh-world.json`, mode 0600: it holds simulator-made
 * private keys). A guest's disk is created at its first boot from the image (an Ubuntu cloud image:
 * `/etc/fstab` with the root file system, the default user with the image key and cloud-init's keys,
 * passwordless sudo); every boot starts with nothing mounted but the fstab NFS lines whose export
 * exists; a VM that is gone takes its disk with it.
 */
export class GuestWorld {
  // a failed write is a warning and the next change writes again (a guest's disk lives on in
  // memory); it used to leave a rejected promise that stopped every later write
  private readonly writer: WorldWriter;

  private constructor(readonly dir: string, readonly data: GuestWorldData) {
    this.writer = new WorldWriter({
      file: join(dir, FILE), serialize: () => JSON.stringify(this.data), delayMs: 50,
      onError: (err) => process.emitWarning(`ssh sim: cannot persist guests: ${String(err)}`),
    });
  }

  static async load(dir: string): Promise<GuestWorld> {
    await mkdir(dir, { recursive: true });
    try {
      const data = JSON.parse(await readFile(join(dir, FILE), "utf8")) as GuestWorldData;
      if (data.version === 1) return new GuestWorld(dir, data);
    } catch {
      // no world yet: a fresh one
    }
    const w = new GuestWorld(dir, { version: 1, imageKey: newKeyPair(), bastionHostKey: newKeyPair().private, guests: {} });
    w.changed();
    return w;
  }

  /** The guest of `g`, created at its first boot; a new boot resets what is mounted. */
  machine(g: SimGuest, boot: (record: GuestRecord) => void): GuestRecord {
    let r = this.data.guests[g.key];
    if (!r) {
      r = firstBoot(g, this.data.imageKey.public);
      this.data.guests[g.key] = r;
    }
    if (r.bootId !== g.bootId) {
      r.bootId = g.bootId;
      r.bootSeenAt = Date.now();
      r.mounts = [];
      boot(r);
    }
    this.changed();
    return r;
  }

  /** Forgets guests whose VM no longer exists. */
  prune(present: Set<string>): void {
    let any = false;
    for (const key of Object.keys(this.data.guests)) {
      if (!present.has(key)) {
        delete this.data.guests[key];
        any = true;
      }
    }
    if (any) this.changed();
  }

  /** Schedules a write (coalesced, see `WorldWriter`). */
  changed(): void {
    this.writer.markDirty();
  }

  /** Writes now and waits for every pending write (never rejects: a failure is a warning). */
  flush(): Promise<void> {
    return this.writer.flush();
  }
}

/** The disk of a new guest, as the simulated cloud image and cloud-init leave it. */
function firstBoot(g: SimGuest, imageKey: string): GuestRecord {
  const user = g.cloudInit?.user ?? IMAGE_USER;
  const keys = [imageKey.trim(), ...(g.cloudInit?.keys ?? [])];
  const dir = (owner: string, mode: number) => ({ type: "dir" as const, owner, mode });
  const file = (owner: string, mode: number, content: string) => ({ type: "file" as const, owner, mode, content });
  const home = `/home/${user}`;
  const fs: FsData = {
    "/": dir("root", 0o755), "/etc": dir("root", 0o755), "/home": dir("root", 0o755), "/root": dir("root", 0o700),
    "/mnt": dir("root", 0o755), "/tmp": dir("root", 0o777), "/var": dir("root", 0o755),
    "/etc/fstab": file("root", 0o644, "LABEL=cloudimg-rootfs\t/\t ext4\tdiscard,commit=30,errors=remount-ro\t0 1\nLABEL=UEFI\t/boot/efi\tvfat\tumask=0077\t0 1\n"),
    "/etc/hostname": file("root", 0o644, `${g.names[0] ?? "guest"}\n`),
    [home]: dir(user, 0o750), [`${home}/.ssh`]: dir(user, 0o700),
    [`${home}/.ssh/authorized_keys`]: file(user, 0o600, `${[...new Set(keys)].join("\n")}\n`),
  };
  if (g.cloudInit?.userData !== undefined) {
    // what cloud-init keeps of the user-data it ran (packages installed, write_files written, runcmd run)
    fs["/var/lib"] = dir("root", 0o755);
    fs["/var/lib/cloud"] = dir("root", 0o755);
    fs["/var/lib/cloud/instance"] = dir("root", 0o755);
    fs["/var/lib/cloud/instance/user-data.txt"] = file("root", 0o600, g.cloudInit.userData);
  }
  return { name: g.names[0] ?? g.key, hostKey: newKeyPair().private, fs, mounts: [], sudoers: [user] };
}
