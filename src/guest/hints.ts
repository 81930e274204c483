/**
 * What to do about each guest error code — the hint the CLI prints under a guest's error (a plan's
 * unreadable guest, a failed step inside a VM, or a GuestError that reaches the top). The SSH
 * settings are `spec.guest.ssh` for a guest, and `spec.snippets.ssh` of the Provider for the
 * Proxmox nodes vmsync uploads cloud-init snippets to; the hints name both where both apply.
 */
import type { GuestErrorCode } from "./ssh/errors.js";

const HINTS: Readonly<Record<GuestErrorCode, string>> = {
  GUEST_TIMEOUT:
    "The machine did not answer SSH in time: check that it is running and has finished booting, that sshd runs in it, and that this machine (or the bastion in ssh.via) can reach its address and port; raise ssh.connectTimeout for a slow network. Run again when it answers.",
  GUEST_UNREACHABLE:
    "Check the address and port vmsync used (spec.guest.address, or what the provider reports for the VM; snippets.ssh.addresses for Proxmox nodes), that sshd runs there, and the route from this machine or from the bastion in ssh.via (firewall, VPN). Run again when it answers.",
  GUEST_AUTH_FAILED:
    "Check ssh.user and ssh.privateKey: the key's public half must be in that user's ~/.ssh/authorized_keys on the machine (for a new VM, cloudInit.sshKeys puts it there at first boot).",
  GUEST_HOST_KEY_MISMATCH:
    "Do not trust the new key blindly: find out why it changed. If the machine was rebuilt, pin its new key in ssh.hostKey (snippets.ssh.hostKeys for Proxmox nodes), or run `vmsync state rm` on the guest's address so the next run trusts the key it shows first.",
  GUEST_NO_ADDRESS:
    "Set spec.guest.address, or make the provider report the VM's address (Proxmox: install and start qemu-guest-agent in the VM); the VM must be running.",
  GUEST_NOT_READY:
    "The VM did not answer SSH before vmsync gave up waiting (still booting, cloud-init still running, or sshd not started): check its console, then run apply again — what was done is recorded.",
  GUEST_COMMAND_FAILED:
    "A command inside the machine failed; its own message is above. Fix the cause there (the NFS server unreachable from the VM, a missing package such as nfs-common, a full disk, a user without the rights vmsync needs) and run again.",
  GUEST_BUSY:
    "Something inside the VM is using that mount (open files, or a working directory there): stop it (`fuser -vm PATH` in the VM shows what), then run again. Nothing was changed.",
  GUEST_CONFLICT:
    "Something vmsync does not own is already at that path inside the VM: remove it by hand, or choose another path in spec.guest.mounts.",
  GUEST_PROTOCOL:
    "The SSH server or the shell behind it answered something vmsync does not expect: vmsync needs OpenSSH (or a compatible server with exec and SFTP) and a POSIX shell for ssh.user. Run with --debug for the details.",
  GUEST_BAD_KEY:
    "Check ssh.privateKey (and ssh.passphrase when the key is encrypted): it must be an OpenSSH or PEM private key that `ssh-keygen -y -f FILE` can read, and the environment variable or file it names must hold it.",
};

/** The hint for a guest error `code`; undefined for a code that is not a guest error's. */
export function guestHint(code: string | undefined): string | undefined {
  return code !== undefined && Object.hasOwn(HINTS, code) ? HINTS[code as GuestErrorCode] : undefined;
}
