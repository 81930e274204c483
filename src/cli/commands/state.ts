import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { CliIO } from "../io.js";
import { openWorkspace } from "../workspace.js";

interface Flags {
  dir: string;
}

/** `vmsync state list | show ADDR | rm ADDR | unlock`: inspect and repair the state inventory. */
export function registerState(program: Command, io: () => CliIO): void {
  const state = program
    .command("state")
    .description("Inspect and repair vmsync's state (what it manages)")
    .option("-C, --dir <folder>", "the manifest folder whose .vmsync/ state to use", ".")
    .addHelpText(
      "after",
      `
Examples:
  $ vmsync state list
  $ vmsync state show VirtualMachine/web-1
  $ vmsync state rm VirtualMachine/old      # stop managing it (nothing is deleted at the provider)
  $ vmsync state unlock                     # remove a lock left by a process that is gone`,
    );
  const withStore = async <T>(fn: (ws: Awaited<ReturnType<typeof openWorkspace>>, out: CliIO) => Promise<T>) => {
    const out = io();
    const ws = await openWorkspace([state.opts<Flags>().dir], {}, out, false);
    try {
      return await fn(ws, out);
    } finally {
      await ws.store.close();
    }
  };

  state.command("list").description("List managed resources").action(() =>
    withStore(async (ws, out) => {
      const snap = await ws.store.read();
      const rows = Object.values(snap.resources).sort((a, b) => a.address.localeCompare(b.address));
      if (out.json) return void out.stdout.write(JSON.stringify({ formatVersion: 1, resources: rows, pending: Object.values(snap.pending) }) + "\n");
      for (const r of rows) out.stdout.write(`${r.address}\t${r.provider || "vmsync"}\t${r.externalId}${r.protect ? "\tprotected" : ""}\n`);
      for (const p of Object.values(snap.pending)) out.stdout.write(`${p.address}\t${p.provider}\t(create pending since ${p.startedAt})\n`);
      if (!rows.length && !Object.keys(snap.pending).length) out.stderr.write(`No managed resources in ${ws.store.location}.\n`);
    }),
  );

  state.command("show").description("Show one managed resource").argument("<address>").action((address: string) =>
    withStore(async (ws, out) => {
      const r = (await ws.store.read()).resources[address];
      if (!r) throw new UsageError(`${address} is not in state`, "See `vmsync state list`.");
      out.stdout.write(JSON.stringify(r, null, 2) + "\n");
    }),
  );

  state.command("rm").description("Forget a resource (it stays at the provider, unmanaged)").argument("<address...>").action((addresses: string[]) =>
    withStore(async (ws, out) => {
      const snap = await ws.store.read();
      for (const a of addresses) if (!snap.resources[a] && !snap.pending[a]) throw new UsageError(`${a} is not in state`, "See `vmsync state list`.");
      await ws.store.commit(addresses.flatMap((address) => [{ type: "removeResource" as const, address }, { type: "clearPending" as const, address }]));
      out.stdout.write(`Removed ${addresses.length} resource${addresses.length === 1 ? "" : "s"} from state; nothing was changed at the providers.\n`);
    }),
  );

  state.command("unlock").description("Remove the state lock (only when its holder is gone)").action(() =>
    withStore(async (ws, out) => {
      const held = await ws.store.forceUnlock();
      out.stdout.write(held ? `Removed the lock held by ${held.user}@${held.host} (pid ${held.pid}, "${held.command}", since ${held.acquiredAt}).\n` : "The state was not locked.\n");
    }),
  );
}
