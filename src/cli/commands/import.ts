import { hostname, userInfo } from "node:os";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { CliIO } from "../io.js";
import { connectProviders } from "../connect.js";
import { openWorkspace } from "../workspace.js";

/**
 * `vmsync import ADDR EXTERNAL_ID`: take an existing object under management. The address must be
 * in the manifests; the object must exist at that resource's provider. Nothing is changed at the
 * provider: the next plan shows how it differs from the manifest.
 */
export function registerImport(program: Command, io: () => CliIO): void {
  program
    .command("import")
    .description("Bring an existing object under management (nothing is changed at the provider)")
    .argument("<address>", "the resource's address in the manifests, e.g. VirtualMachine/web-1")
    .argument("<external-id>", "the provider's id of the object, e.g. pve1/105")
    .argument("[paths...]", "manifest files or folders", ["."])
    .option("--stack <name>", "stack name (default: the manifest folder's name)")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)")
    .addHelpText("after", "\nExamples:\n  $ vmsync import VirtualMachine/web-1 pve1/105\n  $ vmsync import Container/cache pve1/120      # an LXC container: node/vmid too\n  $ vmsync plan     # shows how it differs from the manifest")
    .action(async (address: string, externalId: string, paths: string[], flags: { stack?: string; state?: string }) => {
      const out = io();
      const ws = await openWorkspace(paths, flags, out);
      const lock = await ws.store.lock({ host: hostname(), pid: process.pid, user: userInfo().username, command: `vmsync import ${address} ${externalId}` });
      try {
        const r = ws.desired.resources.find((x) => x.address === address);
        if (!r || !r.provider) throw new UsageError(`${address} is not a provider resource in the manifests`, "Write its manifest first, then import.");
        const state = await ws.store.read();
        if (state.resources[address]) throw new UsageError(`${address} is already managed (${state.resources[address]!.externalId})`);
        const conn = await connectProviders([r.provider], ws.desired, { stack: ws.stack, env: out.env });
        try {
          const observed = await conn.sessions.get(r.provider)!.observe({ kinds: [r.kind], externalIds: [externalId], names: [] });
          const obj = observed.find((o) => o.kind === r.kind && o.externalId === externalId);
          if (!obj) throw new UsageError(`no ${r.kind} with id ${externalId} on provider "${r.provider}"`, "Check the id (Proxmox: node/vmid; TrueNAS: the VM id; Azure: the resource id).");
          await ws.store.commit([{ type: "putResource", record: { address, kind: r.kind, provider: r.provider, externalId, appliedSpec: obj.spec, protect: r.lifecycle.protect, appliedAt: new Date().toISOString(), origin: "imported", dependsOn: r.dependsOn } }]);
          out.stdout.write(`Imported ${address} (${externalId}). Run \`vmsync plan\` to see how it differs from the manifest.\n`);
        } finally {
          await conn.close();
        }
      } finally {
        await lock.release();
        await ws.store.close();
      }
    });
}
