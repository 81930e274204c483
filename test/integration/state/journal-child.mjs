// Child process for the journal crash test. Usage: node journal-child.mjs <compiled file-store.js> <dir>
// Commits forever in the journal mode — one new resource per batch, several batches in flight at a
// time (so they are written together) — and prints "ack <serial> <name>" after each commit resolved.
// The parent kills it with SIGKILL at some point.
import { pathToFileURL } from "node:url";

const [modulePath, dir] = process.argv.slice(2);
const { openFileStateStore } = await import(pathToFileURL(modulePath).href);
const store = await openFileStateStore(dir, { journalAboveBytes: 0 });
const start = Object.keys((await store.read()).resources).length;
let i = start;
const record = (name) => ({
  address: `VirtualMachine/${name}`, kind: "VirtualMachine", provider: "pve", externalId: `pve1/${name}`,
  appliedSpec: { name, padding: "x".repeat(200) }, protect: false, appliedAt: new Date().toISOString(), origin: "created",
});
for (;;) {
  const batch = Array.from({ length: 4 }, () => `vm-${i++}`);
  await Promise.all(batch.map(async (name) => {
    const serial = await store.commit([{ type: "putResource", record: record(name) }]);
    process.stdout.write(`ack ${serial} ${name}\n`);
  }));
}
