import { utils } from "./ssh2.js";

/** Options of {@link generateEd25519}: those of ssh2's generator (a passphrase encrypts the private key). */
export interface KeyGenOptions {
  comment?: string;
  passphrase?: string;
  cipher?: string;
  rounds?: number;
}

/**
 * A new ed25519 key pair in OpenSSH format that ssh2 itself can read back. ssh2's
 * `generateKeyPairSync("ed25519")` now and then (about 3 in 1,000) writes a private key its own
 * `parseKey` refuses as "Malformed OpenSSH private key"; such a key would make a simulated guest
 * or a test fail at random, so a pair that does not read back is generated again.
 */
export function generateEd25519(opts: KeyGenOptions = {}): { private: string; public: string } {
  for (let attempt = 0; ; attempt++) {
    const pair = opts.passphrase !== undefined || opts.comment !== undefined ? utils.generateKeyPairSync("ed25519", opts as Parameters<typeof utils.generateKeyPairSync>[1]) : utils.generateKeyPairSync("ed25519");
    const priv = utils.parseKey(pair.private, opts.passphrase);
    const pub = utils.parseKey(pair.public);
    if (!(priv instanceof Error) && !(pub instanceof Error) && !Array.isArray(priv) && !Array.isArray(pub)) return { private: pair.private, public: pair.public };
    if (attempt >= 20) throw new Error("ssh2 could not generate a readable ed25519 key pair");
  }
}
