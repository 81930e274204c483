import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generate } from "selfsigned";

/**
 * A server certificate for a loopback simulator. `cert` doubles as the CA a client must trust
 * (it is self-signed); `caFile` is where it was written so that CLI clients can be pointed at it.
 * Clients trust it through that CA file — never by turning TLS verification off.
 */
export interface SimCertificate {
  key: string;
  cert: string;
  caFile: string;
}

/**
 * Returns the certificate kept in `dir` as `<name>.crt`/`<name>.key`, generating a fresh self-signed
 * one (CN=localhost, SAN localhost/127.0.0.1/::1, EC P-256) the first time. Reusing it across runs of
 * a persistent simulator keeps a client's CA file valid when the simulator restarts.
 */
export async function loadOrCreateCertificate(dir: string, name: string): Promise<SimCertificate> {
  await mkdir(dir, { recursive: true });
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  try {
    const [cert, key] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
    return { cert, key, caFile: certPath };
  } catch {
    // not there yet (or unreadable): make a new pair below
  }
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 5);
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  await writeFile(certPath, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, caFile: certPath };
}
