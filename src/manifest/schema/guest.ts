import { Type, type Static } from "@sinclair/typebox";
import { Closed, Duration, NameRef, SecretRef } from "./common.js";

/**
 * `spec.guest` of a VirtualMachine (or a VmTemplate, inherited like any VM field): what vmsync keeps
 * in place *inside* the guest over SSH — NFS mounts and authorized keys — and how to reach it. Each
 * VM with a guest section gets a derived resource `VirtualMachine/NAME@guest` that plans, applies,
 * drifts and is recorded like any other resource.
 */

/** An SSH host key fingerprint as OpenSSH prints it (`ssh-keygen -lf`): SHA256, base64 without padding. */
export const HOST_KEY_PATTERN = "^SHA256:[A-Za-z0-9+/]{43}$";

export const HostKey = Type.Union(
  [
    Type.String({ pattern: HOST_KEY_PATTERN }),
    Closed({ env: Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$", description: "Name of the environment variable holding the fingerprint." }) }),
  ],
  {
    description: "The host key's SHA256 fingerprint (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`), or {env: NAME}. A server that shows another key is refused.",
    examples: ["SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"],
  },
);

export const Port = Type.Integer({ minimum: 1, maximum: 65535, default: 22, description: "SSH port." });

/** A jump host the guest is reached through (`ssh -J`). Its host key must be pinned. */
export const Bastion = Closed(
  {
    address: Type.String({ minLength: 1, description: "Host name or IP address of the bastion.", examples: ["bastion.example.net"] }),
    port: Type.Optional(Port),
    user: Type.String({ pattern: "^[a-z_][a-z0-9_.-]{0,31}$", description: "User on the bastion." }),
    privateKey: Type.Union([SecretRef], { description: "The bastion user's private key (OpenSSH or PEM): {env: NAME} or {file: path}." }),
    passphrase: Type.Optional(Type.Union([SecretRef], { description: "Passphrase of the private key, when it has one." })),
    hostKey: HostKey,
  },
  { description: "Reach the guest through this SSH bastion (a TCP forward; the guest's own host key is still checked)." },
);

/** How vmsync logs in to the guest. */
export const GuestSsh = Closed(
  {
    user: Type.Optional(Type.String({ pattern: "^[a-z_][a-z0-9_.-]{0,31}$", description: "User vmsync logs in as (required, here or in the template). Anyone but root needs passwordless sudo (`sudo -n`) for mounts and /etc/fstab.", examples: ["ubuntu"] })),
    port: Type.Optional(Port),
    privateKey: Type.Optional(Type.Union([SecretRef], { description: "Private key of that user (required, here or in the template; OpenSSH or PEM): {env: NAME} or {file: path}. Never shown or stored." })),
    passphrase: Type.Optional(Type.Union([SecretRef], { description: "Passphrase of the private key, when it has one." })),
    hostKey: Type.Optional(HostKey),
    via: Type.Optional(Bastion),
    connectTimeout: Type.Optional(Type.Union([Duration], { default: "10s", description: "How long one connection attempt (TCP, handshake, login) may take." })),
    readyTimeout: Type.Optional(Type.Union([Duration], { default: "5m", description: "After a create or restart, how long to wait for the guest to answer SSH." })),
  },
  { description: "SSH access (required, here or in the template). Without hostKey, the key the guest shows first is trusted and recorded in state; a later different key is refused." },
);

/** One NFS share mounted in the guest, kept in /etc/fstab and mounted. */
export const GuestMount = Closed(
  {
    share: Type.Union([NameRef], { description: "metadata.name of the NfsShare to mount." }),
    path: Type.String({ pattern: "^/[^\\s#]*$", maxLength: 255, description: "Mount point in the guest (created when missing).", examples: ["/mnt/media"] }),
    options: Type.Optional(Type.String({ pattern: "^[^\\s#]+$", default: "vers=4.1,hard", description: "NFS mount options (the fstab options field)." })),
    server: Type.Optional(Type.String({ pattern: "^[^\\s#:]+$", description: "NFS server as the guest reaches it, when it is not the exporting provider's host (TrueNAS) or the Azure Files endpoint." })),
  },
  { description: "An NfsShare mounted in the guest over SSH (changed in place, unlike spec.mounts)." },
);

/** `spec.guest`. */
export const GuestSpec = Closed(
  {
    address: Type.Optional(
      Type.String({
        pattern: "^[^\\s]+$",
        description: "Host name or IP address of the guest. Default: the first address the provider reports (Proxmox guest agent, Azure NIC / public IP); required on TrueNAS. `{name}` stands for the VM's name (one per replica).",
        examples: ["10.0.0.21", "{name}.lan"],
      }),
    ),
    ssh: Type.Optional(GuestSsh),
    mounts: Type.Optional(Type.Array(GuestMount, { description: "NFS shares mounted in the guest." })),
    authorizedKeys: Type.Optional(
      Type.Array(Type.String({ pattern: "^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9-]+@openssh\\.com) [A-Za-z0-9+/=]+( [^\\n\\r]*)?$" }), {
        description: "Public keys vmsync keeps in the SSH user's ~/.ssh/authorized_keys (in its own marked block; other keys stay). Rotating = editing this list.",
      }),
    ),
  },
  { description: "Inside the guest, over SSH: NFS mounts and authorized keys, reconciled in place as VirtualMachine/NAME@guest." },
);

export type GuestSpec = Static<typeof GuestSpec>;
export type GuestMount = Static<typeof GuestMount>;

/**
 * SSH to the Proxmox nodes (root or a user that may write the snippet storage), for the cloud-init
 * snippets vmsync uploads over SFTP. Nodes' host keys are pinned, one per node.
 */
export const NodeSsh = Closed(
  {
    user: Type.Optional(Type.String({ pattern: "^[a-z_][a-z0-9_.-]{0,31}$", default: "root", description: "User on the nodes." })),
    port: Type.Optional(Port),
    privateKey: Type.Union([SecretRef], { description: "That user's private key: {env: NAME} or {file: path}." }),
    passphrase: Type.Optional(Type.Union([SecretRef], { description: "Passphrase of the private key, when it has one." })),
    hostKeys: Type.Record(Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9.-]*$" }), HostKey, { description: "Each node's host key fingerprint, by node name (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the node)." }),
    addresses: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: "Address of each node, by node name (default: the node name itself)." })),
    via: Type.Optional(Bastion),
    connectTimeout: Type.Optional(Type.Union([Duration], { default: "10s", description: "How long one login may take." })),
  },
  { description: "SSH access to the nodes, for snippet uploads." },
);

/** `snippets` of a Proxmox provider: where cloud-init user-data snippets go. */
export const ProxmoxSnippets = Closed(
  {
    storage: Type.Optional(Type.String({ default: "local", description: "A storage with `snippets` content (a dir storage on each node, or shared).", examples: ["local"] })),
    ssh: NodeSsh,
  },
  {
    description:
      "Upload the cloud-init user-data of VMs with packages or a startup script as a snippet (cicustom: user=STORAGE:snippets/vmsync-NAME-HASH.yaml) over SFTP. Versioned by content hash, removed with the VM.",
  },
);
export type ProxmoxSnippets = Static<typeof ProxmoxSnippets>;
