/** Capacity amounts and money as plans show them. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** Bytes in binary units with up to one decimal (`16GiB`, `1.5TiB`); counts as they are (`12 vCPUs`). */
export function formatAmount(unit: "bytes" | "count", n: number): string {
  if (unit === "count") return `${n} vCPU${Math.abs(n) === 1 ? "" : "s"}`;
  const sign = n < 0 ? "-" : "";
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const text = Number.isInteger(v) ? String(v) : v.toFixed(1).replace(/\.0$/, "");
  return `${sign}${text}${UNITS[i]}`;
}

/** A monthly amount of money: `$70.08`, with a sign when asked (`+$70.08`, `-$3.65`). */
export function formatMoney(amount: number, currency: string, signed = false): string {
  const symbol = currency === "USD" ? "$" : `${currency} `;
  const sign = amount < 0 ? "-" : signed ? "+" : "";
  return `${sign}${symbol}${Math.abs(amount).toFixed(2)}`;
}
