import { access, mkdir, rm, writeFile } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { ManifestError } from "../../manifest/diagnostics.js";
import { loadManifests } from "../../manifest/load.js";
import type { DesiredResource, ResourceKind } from "../../manifest/model.js";
import type { ObservedResource } from "../../providers/contract.js";
import { showValue } from "../../reconcile/render/values.js";
import { auditEntry } from "../audit.js";
import { connectProviders } from "../connect.js";
import { UsageError } from "../errors.js";
import { changesAfterImport, GENERATED_KINDS, generateSpec, manifestYaml } from "../generate-manifest.js";
import type { CliIO } from "../io.js";
import { openWorkspace, type Workspace } from "../workspace.js";

interface Flags {
  stack?: string;
  state?: string;
  generate?: string;
  provider?: string;
  force?: boolean;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * `vmsync import ADDR EXTERNAL_ID`: take an existing object under management. Nothing is changed at
 * the provider. Either the address is in the manifests (the command then shows what the next plan
 * would change, so a manifest that leaves out e.g. the NIC is noticed before it is applied), or
 * `--generate FILE` writes the manifest from the object as it is — the choice for imports: the
 * generated manifest, so that the next plan changes nothing (fields it cannot express are named).
 * Every import is recorded in history.
 */
export function registerImport(program: Command, io: () => CliIO): void {
  program
    .command("import")
    .description("Bring an existing object under management (nothing is changed at the provider); --generate writes its manifest")
    .argument("<address>", "the resource's address, e.g. VirtualMachine/web-1")
    .argument("<external-id>", "the provider's id of the object: Proxmox node/vmid, TrueNAS VM id, Azure resource id")
    .argument("[paths...]", "manifest files or folders", ["."])
    .option("--generate <file>", "write the manifest of the object to FILE (a new file), so that the next plan changes nothing")
    .option("--provider <name>", "with --generate: the Provider manifest the object is on (default: the only one)")
    .option("--force", "with --generate: overwrite FILE")
    .option("--stack <name>", "stack name (default: the manifest folder's name)")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)")
    .addHelpText(
      "after",
      `
Examples:
  $ vmsync import VirtualMachine/legacy pve1/105 --generate vms/legacy.yaml   # writes the manifest, imports
  $ vmsync import VirtualMachine/web-1 pve1/105                                # the manifest exists already
  $ vmsync import Container/cache pve1/120                                    # an LXC container: node/vmid too
  $ vmsync plan     # after --generate: no changes
--generate writes VirtualMachine manifests (Proxmox, TrueNAS, Azure); anything a manifest cannot
express (e.g. a display password's secret) is named in the file and in the output.`,
    )
    .action(async (address: string, externalId: string, paths: string[], flags: Flags) => {
      const out = io();
      const startedAt = new Date();
      const ws = await openWorkspace(paths, flags, out);
      const lock = await ws.store.lock({ host: hostname(), pid: process.pid, user: userInfo().username, command: `vmsync import ${address} ${externalId}` });
      try {
        const state = await ws.store.read();
        if (state.resources[address]) throw new UsageError(`${address} is already managed (${state.resources[address]!.externalId})`);
        const inManifests = ws.desired.resources.find((x) => x.address === address);
        const target = flags.generate ? generateTarget(ws, address, inManifests, flags.provider) : existingTarget(address, inManifests);
        const conn = await connectProviders([target.provider], ws.desired, { stack: ws.stack, env: out.env });
        try {
          const observed = await conn.sessions.get(target.provider)!.observe({ kinds: [target.kind], externalIds: [externalId], names: [] });
          const obj = observed.find((o) => o.kind === target.kind && o.externalId === externalId);
          if (!obj) throw new UsageError(`no ${target.kind} with id ${externalId} on provider "${target.provider}"`, "Check the id (Proxmox: node/vmid; TrueNAS: the VM id; Azure: the resource id).");
          if (obj.marker && (obj.marker.stack !== ws.stack || obj.marker.address !== address)) {
            throw new UsageError(`${externalId} belongs to ${obj.marker.stack === ws.stack ? obj.marker.address : `vmsync stack "${obj.marker.stack}" (${obj.marker.address})`}; it is not imported as ${address}`);
          }
          const impl = conn.providers.get(target.provider)!;
          const config = ws.desired.providers.get(target.provider)!;
          let resource = inManifests;
          if (flags.generate) resource = await writeGenerated(ws, { address, kind: target.kind, name: target.name, externalId, obj, file: flags.generate, force: flags.force === true, paths, startedAt, generated: generateSpec(impl, target.kind, obj, config, target.name) }, out);
          const changes = changesAfterImport(impl, resource!, config, obj);
          await ws.store.commit([{ type: "putResource", record: { address, kind: target.kind, provider: target.provider, externalId, appliedSpec: obj.spec, protect: resource!.lifecycle.protect, appliedAt: new Date().toISOString(), origin: "imported", dependsOn: resource!.dependsOn } }]);
          await ws.store.appendHistory(auditEntry(`import ${address} ${externalId}`, [address], startedAt, out.env));
          if (out.json) return void out.stdout.write(JSON.stringify({ formatVersion: 1, imported: address, externalId, ...(flags.generate ? { manifest: flags.generate } : {}), changes }) + "\n");
          out.stdout.write(`Imported ${address} (${externalId}).\n`);
          if (!changes.length) out.stdout.write("The next plan changes nothing on it.\n");
          else {
            out.stdout.write(`${out.color.yellow("The next plan would change it")} (the manifest differs from the object):\n`);
            for (const c of changes) out.stdout.write(`  ~ ${c.path}: ${showValue(c.before, c.path, impl.sensitivePaths(target.kind))} → ${showValue(c.after, c.path, impl.sensitivePaths(target.kind))}${c.effect !== "in-place" ? `  (${c.effect})` : ""}\n`);
            out.stdout.write(`Review it with \`vmsync plan\`; ${flags.generate ? "complete the manifest where it says what it could not express" : `or write the manifest from the object: \`vmsync state rm ${address}\`, then \`vmsync import ${address} ${externalId} --generate FILE\``}.\n`);
          }
        } finally {
          await conn.close();
        }
      } finally {
        await lock.release();
        await ws.store.close();
      }
    });
}

/** What is imported when the address is in the manifests. */
function existingTarget(address: string, r: DesiredResource | undefined): { kind: ResourceKind; name: string; provider: string } {
  if (!r || !r.provider) throw new UsageError(`${address} is not a provider resource in the manifests`, "Write its manifest first, or let vmsync write it: add --generate FILE.");
  return { kind: r.kind, name: r.name, provider: r.provider };
}

/** What is imported with --generate: a new VirtualMachine on the named (or only) provider. */
function generateTarget(ws: Workspace, address: string, existing: DesiredResource | undefined, provider: string | undefined): { kind: ResourceKind; name: string; provider: string } {
  if (existing) throw new UsageError(`${address} is already in the manifests (${existing.source.file}:${existing.source.line}); --generate writes a new manifest`, "Import it without --generate.");
  const [kind, name] = address.split("/", 2) as [string, string | undefined];
  if (!GENERATED_KINDS.has(kind) || !name) throw new UsageError(`--generate writes VirtualMachine manifests, not ${address}`, "Give an address such as VirtualMachine/legacy-db.");
  if (!DNS_LABEL.test(name) || name.length > 63) throw new UsageError(`"${name}" is not a valid metadata.name (lower-case letters, digits and inner hyphens)`, "Choose another address; the object's own name is kept as externalName when it differs.");
  const names = [...ws.desired.providers.keys()];
  const chosen = provider ?? (names.length === 1 ? names[0] : undefined);
  if (!chosen) throw new UsageError(`--provider is needed: the manifests have ${names.length ? `several providers (${names.join(", ")})` : "no Provider"}`, "Name the Provider manifest the object is on, e.g. --provider pve.");
  if (!ws.desired.providers.has(chosen)) throw new UsageError(`provider "${chosen}" is not in the manifests`, `Providers: ${names.join(", ") || "none"}.`);
  return { kind: kind as ResourceKind, name, provider: chosen };
}

/**
 * Writes the generated manifest (a new file unless --force), then loads the manifests with it; when
 * they do not load, the file is removed again and nothing is imported. Returns the loaded resource.
 */
async function writeGenerated(
  ws: Workspace,
  g: { address: string; kind: ResourceKind; name: string; externalId: string; obj: ObservedResource; file: string; force: boolean; paths: string[]; startedAt: Date; generated: ReturnType<typeof generateSpec> },
  out: CliIO,
): Promise<DesiredResource> {
  const path = resolve(out.cwd, g.file);
  if (!g.force && (await access(path).then(() => true, () => false))) throw new UsageError(`${g.file} exists already`, "Choose a new file, or add --force to overwrite it.");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, manifestYaml({ kind: g.kind, name: g.name, generated: g.generated, command: `vmsync import ${g.address} ${g.externalId} --generate ${g.file}`, at: g.startedAt }));
  const loaded = await loadManifests([...(g.paths.length ? g.paths : ["."]), path], out.cwd);
  const r = loaded.desired.resources.find((x) => x.address === g.address);
  if (loaded.errors > 0 || !r) {
    await rm(path, { force: true });
    throw new ManifestError(loaded.diagnostics);
  }
  out.stdout.write(`Wrote ${g.file}.\n`);
  for (const n of g.generated.notes) out.stderr.write(`${out.color.yellow("note:")} not expressible in a manifest: ${n}\n`);
  if (!ws.paths.some((p) => path.startsWith(resolve(out.cwd, p)))) out.stderr.write(`${out.color.yellow("note:")} ${g.file} is outside the manifest paths (${ws.paths.join(", ")}); move it there so plans read it.\n`);
  return r;
}
