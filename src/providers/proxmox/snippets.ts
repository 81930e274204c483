import { createHash } from "node:crypto";
import { posix } from "node:path";
import { durationToMs } from "../../manifest/units.js";
import type { ProxmoxSnippets } from "../../manifest/schema/index.js";
import { SecretReader } from "../../guest/target.js";
import { ProviderError, type OperationContext } from "../contract.js";
import { renderCloudConfig } from "../azure/cloud-init.js";
import type { ProxmoxContext } from "./context.js";

/** Snippet file names vmsync owns start with this; it never touches other files in the folder. */
export const SNIPPET_PREFIX = "vmsync-";

/** What a VM's snippet holds: the cloud-init settings Proxmox's own keys cannot carry. */
export interface SnippetInputs {
  name: string;
  user: string | null;
  sshKeys: string[];
  packages: string[];
  startupScript?: string;
}

/**
 * The whole cloud-init user-data of a VM (with `cicustom: user=…` Proxmox's generated user-data is
 * replaced, so the user and keys are in it too, as Proxmox writes them), and the snippet volume it
 * goes to: `STORAGE:snippets/vmsync-NAME-HASH.yaml`, HASH the first 12 hex digits of its sha256 —
 * a changed content is a new file, never an edit in place.
 */
export function renderSnippet(storage: string, i: SnippetInputs): { volid: string; file: string; content: string } {
  const head = ["#cloud-config", `hostname: ${JSON.stringify(i.name)}`, "manage_etc_hosts: true"];
  if (i.user) head.push(`user: ${JSON.stringify(i.user)}`);
  if (i.sshKeys.length) head.push(`ssh_authorized_keys: ${JSON.stringify(i.sshKeys)}`);
  head.push("users: [default]");
  const rest = renderCloudConfig({ packages: i.packages, ...(i.startupScript ? { startupScript: i.startupScript } : {}), mounts: [] }, new Map()).replace(/^#cloud-config\n/, "");
  const content = `${head.join("\n")}\n${rest}`;
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const file = `${SNIPPET_PREFIX}${i.name}-${hash}.yaml`;
  return { volid: `${storage}:snippets/${file}`, file, content };
}

/** The node folder of a storage's snippets (`/var/lib/vz/snippets` for `local`). */
async function snippetDir(c: ProxmoxContext, storage: string, op: OperationContext): Promise<string> {
  const cfg = await c.api.get<{ type?: string; path?: string; content?: string }>(`/storage/${storage}`, undefined, { signal: op.signal });
  if (!String(cfg.content ?? "").split(",").includes("snippets")) throw new ProviderError(`storage '${storage}' does not hold snippets (its content is ${cfg.content ?? "empty"}); add snippets to its content, or set snippets.storage on the provider`, { code: "PROXMOX_NO_SNIPPETS", retryable: false });
  const base = cfg.type === "dir" ? cfg.path : `/mnt/pve/${storage}`;
  if (!base) throw new ProviderError(`storage '${storage}' has no path for snippets`, { code: "PROXMOX_NO_SNIPPETS", retryable: false });
  return posix.join(base, "snippets");
}

/**
 * Runs `fn` with an SFTP session on `node`, as the provider's `snippets.ssh` says (host key pinned per
 * node). The SSH client (ssh2) is loaded here, on first use: a Proxmox provider without snippets never
 * loads it.
 */
async function withSftp<T>(c: ProxmoxContext, node: string, op: OperationContext, fn: (sftp: import("../../guest/ssh/connect.js").SftpFiles) => Promise<T>): Promise<T> {
  const s = c.snippets;
  if (!s) throw new ProviderError(`provider ${c.providerName} has no snippets settings`, { code: "PROXMOX_NO_SNIPPETS", retryable: false });
  const ssh = s.spec.ssh;
  const secrets = new SecretReader(s.env);
  const pinned = ssh.hostKeys[node];
  if (!pinned) throw new ProviderError(`no host key for node ${node}: pin it in snippets.ssh.hostKeys of provider ${c.providerName} (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the node)`, { code: "PROXMOX_NODE_HOST_KEY", retryable: false });
  const what = `Proxmox node ${node}`;
  const { openSsh } = await import("../../guest/ssh/connect.js");
  const conn = await openSsh(
    {
      host: ssh.addresses?.[node] ?? node, port: ssh.port ?? 22, user: ssh.user ?? "root", privateKey: await secrets.read(ssh.privateKey, s.baseDir),
      ...(ssh.passphrase ? { passphrase: await secrets.read(ssh.passphrase, s.baseDir) } : {}),
      hostKey: typeof pinned === "string" ? pinned : secrets.setting(pinned), hostKeySource: "pinned in the manifest",
    },
    {
      ...(ssh.via ? { via: { host: ssh.via.address, port: ssh.via.port ?? 22, user: ssh.via.user, privateKey: await secrets.read(ssh.via.privateKey, s.baseDir), ...(ssh.via.passphrase ? { passphrase: await secrets.read(ssh.via.passphrase, s.baseDir) } : {}), hostKey: typeof ssh.via.hostKey === "string" ? ssh.via.hostKey : secrets.setting(ssh.via.hostKey) } } : {}),
      connectTimeoutMs: durationToMs(ssh.connectTimeout ?? "10s") ?? 10_000, signal: op.signal, what,
    },
  );
  try {
    return await fn(await conn.sftp());
  } finally {
    conn.close();
  }
}

/**
 * Puts a snippet on the node (or shared storage) unless a file of that name — the same content,
 * by its hash — is there already: written to a temporary name, then renamed (one step for readers).
 */
export async function uploadSnippet(c: ProxmoxContext, node: string, snippet: { volid: string; content: string }, op: OperationContext): Promise<void> {
  const storage = snippet.volid.slice(0, snippet.volid.indexOf(":"));
  const dir = await snippetDir(c, storage, op);
  const path = posix.join(dir, posix.basename(snippet.volid));
  await withSftp(c, node, op, async (sftp) => {
    if (await sftp.exists(path)) return;
    const tmp = `${path}.vmsync-tmp`;
    await sftp.write(tmp, snippet.content);
    await sftp.rename(tmp, path);
  });
}

/** Removes a snippet vmsync wrote (only `vmsync-*` files); succeeds when it is already gone. */
export async function removeSnippet(c: ProxmoxContext, node: string, volid: string, op: OperationContext): Promise<void> {
  const file = posix.basename(volid.slice(volid.indexOf(":") + 1));
  if (!file.startsWith(SNIPPET_PREFIX)) return;
  const dir = await snippetDir(c, volid.slice(0, volid.indexOf(":")), op);
  await withSftp(c, node, op, (sftp) => sftp.remove(posix.join(dir, file)));
}

/** The snippets settings a session needs: the provider's section, and where its `{file}` secrets are. */
export interface SnippetSettings {
  spec: ProxmoxSnippets;
  baseDir: string;
  env: NodeJS.ProcessEnv;
}
