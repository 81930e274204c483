/**
 * vCPUs and quota family of Azure VM sizes, for the regional vCPU quota check. Family names are
 * the `name.value` the Compute usages API (`Microsoft.Compute/locations/{location}/usages`) lists,
 * e.g. `standardDSv5Family` ("Standard DSv5 Family vCPUs"); every VM also counts against `cores`
 * ("Total Regional vCPUs"). Sizes missing here are not checked (the plan says so), never guessed.
 */
const SERIES: Array<{ pattern: RegExp; family: string }> = [
  { pattern: /^Standard_B\d+l?s$|^Standard_B\d+ms$/i, family: "standardBSFamily" },
  { pattern: /^Standard_D\d+s_v5$/i, family: "standardDSv5Family" },
  { pattern: /^Standard_D\d+as_v5$/i, family: "standardDASv5Family" },
  { pattern: /^Standard_D\d+ds_v5$/i, family: "standardDDSv5Family" },
  { pattern: /^Standard_E\d+s_v5$/i, family: "standardESv5Family" },
  { pattern: /^Standard_F\d+s_v2$/i, family: "standardFSv2Family" },
  { pattern: /^Standard_D\d+s_v3$/i, family: "standardDSv3Family" },
];

/** The vCPU count (the number in the size name) and the quota family of a size, or undefined. */
export function sizeFamily(size: string): { vcpus: number; family: string } | undefined {
  const series = SERIES.find((s) => s.pattern.test(size));
  const vcpus = Number(/^Standard_[A-Z]+(\d+)/i.exec(size)?.[1]);
  return series && Number.isInteger(vcpus) && vcpus > 0 ? { vcpus, family: series.family } : undefined;
}

/** The capacity-pool key of a vCPU quota (`quota/<location>/<usage name>`). */
export function quotaKey(location: string, usage: string): string {
  return `quota/${location.toLowerCase()}/${usage}`;
}
