import type { Diagnostic } from "../manifest/diagnostics.js";
import type { Colors } from "./io.js";

/** Diagnostics as compiler-style lines: `file:line:col: error: path: message` then an indented hint. */
export function renderDiagnostics(diagnostics: Diagnostic[], c: Colors): string {
  const lines: string[] = [];
  for (const d of diagnostics) {
    const sev = d.severity === "error" ? c.red(c.bold("error")) : c.yellow(c.bold("warning"));
    const path = d.path ? `${c.bold(d.path)}: ` : "";
    lines.push(`${c.bold(`${d.file}:${d.line}:${d.column}`)}: ${sev}: ${path}${d.message} ${c.dim(`[${d.code}]`)}`);
    if (d.hint) lines.push(`    ${c.dim("hint:")} ${d.hint}`);
  }
  return lines.join("\n") + (lines.length ? "\n" : "");
}

/** One-line count of errors and warnings. */
export function diagnosticSummary(diagnostics: Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const part = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return warnings ? `${part(errors, "error")}, ${part(warnings, "warning")}` : part(errors, "error");
}
