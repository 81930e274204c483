import { createHash } from "node:crypto";

/**
 * The OpenSSH fingerprint of a public key blob (the wire format ssh2 hands to `hostVerifier`):
 * `SHA256:` and the base64 of its SHA-256 without padding, as `ssh-keygen -lf` prints it.
 */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`), or undefined when it is not one. */
export function fingerprintOfLine(line: string): string | undefined {
  const blob = line.trim().split(/\s+/)[1];
  if (!blob || !/^[A-Za-z0-9+/]+=*$/.test(blob)) return undefined;
  return fingerprintOf(Buffer.from(blob, "base64"));
}
