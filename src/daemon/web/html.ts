/**
 * A tiny HTML builder that escapes by default: every value interpolated into `html\`…\`` is
 * escaped unless it is already `Html` (built by `html` or marked with `raw`). Arrays are joined.
 * The status page is built only with it, so text from providers, manifests or history can never
 * become markup.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Escapes `&<>"'` for text and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Marks trusted markup (constants of this module's callers only). */
export function raw(markup: string): Html {
  return new Html(markup);
}

function part(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join("");
  if (v === undefined || v === null || v === false) return "";
  return esc(v);
}

/** Builds markup from a template, escaping every interpolated value that is not `Html`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => (out += part(v) + strings[i + 1]!));
  return new Html(out);
}
