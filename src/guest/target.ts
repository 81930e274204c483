import { durationToMs } from "../manifest/units.js";
import { readSecret, readSetting, type SecretRefValue } from "../manifest/secrets.js";
import { TRUST_ON_FIRST_USE, type GuestSshSpec } from "./canonical.js";
import type { SshEndpoint, SshOptions } from "./ssh/connect.js";

/** Reads secret references (cached per reference for one session); values never leave this process. */
export class SecretReader {
  private readonly cache = new Map<string, Promise<string>>();
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  read(ref: SecretRefValue, baseDir: string): Promise<string> {
    const key = JSON.stringify([ref, "file" in ref ? baseDir : ""]);
    let v = this.cache.get(key);
    if (!v) {
      v = readSecret(ref, baseDir, this.env);
      v.catch(() => this.cache.delete(key));
      this.cache.set(key, v);
    }
    return v;
  }

  setting(value: string | { env: string }): string {
    return readSetting(value, this.env)!;
  }
}

/** The guest's ID in state: its VM's address and the fingerprint of the host key it showed. */
export function guestExternalId(vm: string, fingerprint: string): string {
  return `${vm}#${fingerprint}`;
}

/** The fingerprint recorded in a guest's external id, if any. */
export function recordedFingerprint(externalId: string | undefined): string | undefined {
  const fp = externalId?.slice(externalId.lastIndexOf("#") + 1);
  return fp?.startsWith("SHA256:") ? fp : undefined;
}

/** The pinned fingerprint of `ssh.hostKey`, if it pins one. */
export function pinnedKey(ssh: GuestSshSpec, secrets: SecretReader): string | undefined {
  if (ssh.hostKey === TRUST_ON_FIRST_USE) return undefined;
  return typeof ssh.hostKey === "string" ? ssh.hostKey : secrets.setting(ssh.hostKey);
}

/**
 * The SSH login to a guest at `host`: the pinned key when the manifest pins one, else the key recorded
 * on first use (none yet: whatever the guest shows is accepted and recorded by the caller).
 */
export async function endpointOf(ssh: GuestSshSpec, input: { host: string; recorded?: string; baseDir: string; secrets: SecretReader; what: string }): Promise<{ target: SshEndpoint; options: SshOptions }> {
  const s = input.secrets;
  const pinned = pinnedKey(ssh, s);
  const expected = pinned ?? input.recorded;
  const target: SshEndpoint = {
    host: input.host, port: ssh.port, user: ssh.user, privateKey: await s.read(ssh.privateKey, input.baseDir),
    ...(ssh.passphrase ? { passphrase: await s.read(ssh.passphrase, input.baseDir) } : {}),
    ...(expected ? { hostKey: expected, hostKeySource: pinned ? "pinned in the manifest" : "recorded in state on first use" } : {}),
  };
  const via = ssh.via
    ? {
        host: ssh.via.address, port: ssh.via.port, user: ssh.via.user, privateKey: await s.read(ssh.via.privateKey, input.baseDir),
        ...(ssh.via.passphrase ? { passphrase: await s.read(ssh.via.passphrase, input.baseDir) } : {}),
        hostKey: typeof ssh.via.hostKey === "string" ? ssh.via.hostKey : s.setting(ssh.via.hostKey), hostKeySource: "pinned in the manifest" as const,
      }
    : undefined;
  return { target, options: { ...(via ? { via } : {}), connectTimeoutMs: durationToMs(ssh.connectTimeout) ?? 10_000, what: input.what } };
}
