import type { SeededRandom } from "../knobs.js";

/** A version-4-shaped UUID drawn from the seeded generator (reproducible per seed). */
export function seededUuid(random: SeededRandom): string {
  const h = random.hex(16).split("");
  h[12] = "4";
  h[16] = "89ab"[random.int(4)]!;
  const s = h.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** A weak ETag in Microsoft.Network's style: `W/"<uuid>"`. */
export function weakEtag(random: SeededRandom): string {
  return `W/"${seededUuid(random)}"`;
}

/** A storage-style ETag: `"0x8DC…"`. */
export function storageEtag(random: SeededRandom): string {
  return `"0x8DC${random.hex(6).toUpperCase()}"`;
}

/** An Azure NIC MAC address (`00-0D-3A-xx-xx-xx`, the Microsoft OUI Azure uses). */
export function macAddress(random: SeededRandom): string {
  return ["00", "0D", "3A", random.hex(1), random.hex(1), random.hex(1)].join("-").toUpperCase();
}

/** An ISO timestamp for `timeCreated` and friends. */
export function now(): string {
  return new Date().toISOString();
}
