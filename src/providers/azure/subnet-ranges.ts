/**
 * Address ranges for the subnets vmsync creates. Azure keeps five addresses of every subnet, so a
 * /24 holds 251 NICs: a subnet made for more VMs than that (as the manifests say when the subnet is
 * created) is sized for them, with a fifth to spare, up to the /16 of the virtual network vmsync
 * creates. Pure functions.
 */

/** Prefix length of a subnet for `vms` NICs: /24 at least, larger when they need it, /16 at most. */
export function prefixLengthFor(vms: number): number {
  const need = Math.ceil(vms * 1.2) + 5;
  for (let len = 24; len > 16; len--) if (2 ** (32 - len) >= need) return len;
  return 16;
}

function parse(cidr: string): { start: number; size: number } | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const len = Number(m[5]);
  if (octets.some((o) => o > 255) || len > 32) return undefined;
  const ip = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
  const size = 2 ** (32 - len);
  return { start: ip - (ip % size), size };
}

function format(ip: number, len: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}/${len}`;
}

/**
 * The first block of prefix length `len` inside address space `space` that overlaps none of `used`
 * (CIDR prefixes of existing subnets; unparsable ones are ignored), or undefined when none is free.
 */
export function freeBlock(space: string, used: string[], len: number): string | undefined {
  const s = parse(space);
  if (!s) return undefined;
  const size = 2 ** (32 - len);
  if (size > s.size) return undefined;
  const taken = used.map(parse).filter((u): u is { start: number; size: number } => u !== undefined);
  for (let start = s.start; start + size <= s.start + s.size; start += size) {
    if (!taken.some((u) => start < u.start + u.size && u.start < start + size)) return format(start, len);
  }
  return undefined;
}
