import type { Command } from "commander";
import { ManifestError } from "../../manifest/diagnostics.js";
import { loadManifests } from "../../manifest/load.js";
import type { CliIO } from "../io.js";
import { renderDiagnostics } from "../render-diagnostics.js";

/** `vmsync validate [paths…]`: load and check manifests without contacting any provider. */
export function registerValidate(program: Command, io: () => CliIO): void {
  program
    .command("validate")
    .description("Check manifests (syntax, schema, references, provider name rules) without contacting any provider")
    .argument("[paths...]", "manifest files or folders", ["."])
    .addHelpText(
      "after",
      `
Examples:
  $ vmsync validate                          # the current folder, recursively
  $ vmsync validate examples/clusters/demo
  $ vmsync validate vms.yaml shares.yaml --json
Exit codes: 0 valid, 1 errors found.`,
    )
    .action(async (paths: string[]) => {
      const out = io();
      const result = await loadManifests(paths, out.cwd);
      if (result.errors > 0) throw new ManifestError(result.diagnostics);
      if (out.json) {
        out.stdout.write(JSON.stringify({ formatVersion: 1, valid: true, files: result.files, resources: result.desired.resources.map((r) => r.address), diagnostics: result.diagnostics }) + "\n");
        return;
      }
      if (result.diagnostics.length) out.stderr.write(renderDiagnostics(result.diagnostics, out.color));
      const n = result.desired.resources.length;
      out.stdout.write(`${out.color.green("✓")} ${result.files.length} file${result.files.length === 1 ? "" : "s"}, ${result.desired.providers.size} provider${result.desired.providers.size === 1 ? "" : "s"}, ${n} resource${n === 1 ? "" : "s"}: valid.\n`);
    });
}
