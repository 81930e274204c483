import type { SeededRandom } from "../knobs.js";

/**
 * Generated identifiers, drawn from the seeded id generator so that a given seed and world produce
 * the same MACs and UUIDs every time.
 */

/** A random MAC as PVE makes them: random, overlaid with the datacenter `mac_prefix` `BC:24:11`. */
export function randomMac(rng: SeededRandom, taken: Set<string>): string {
  for (;;) {
    const tail = rng.hex(3).toUpperCase();
    const mac = `BC:24:11:${tail.slice(0, 2)}:${tail.slice(2, 4)}:${tail.slice(4, 6)}`;
    if (!taken.has(mac)) {
      taken.add(mac);
      return mac;
    }
  }
}

/** A version-4 style UUID (lower-case) from the seeded generator. */
export function randomUuid(rng: SeededRandom): string {
  const h = rng.hex(16).split("");
  h[12] = "4";
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
