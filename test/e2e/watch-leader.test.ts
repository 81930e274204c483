/**
 * Two `vmsync watch` daemons on one stack with PostgreSQL state: exactly one leads and applies;
 * when the leader is killed (SIGKILL — no chance to release its lease) the other takes over within
 * the lease TTL plus its renewal period, and applies the next manifest change. Never two leaders.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startProxmoxSim, type ProxmoxSimHandle } from "../../src/sim/proxmox/index.js";
import { testPgUrl, uniqueName } from "../integration/state-postgres/pg-env.js";
import { eventually, startWatch, type WatchProcess } from "../integration/daemon/process.js";
import { runCli } from "../helpers/cli.js";
import { tempTree, type TempTree } from "../helpers/tmp.js";

const provider = `apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: pve }
spec:
  type: proxmox
  endpoint: { env: PVE_ENDPOINT }
  tls: { caFile: { env: PVE_CA } }
  auth: { tokenId: { env: PVE_TOKEN_ID }, tokenSecret: { env: PVE_TOKEN_SECRET } }
  defaults: { node: pve1, storage: local-lvm, bridge: vmbr0 }
`;
const vm = (name: string) => `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: ${name} }
spec: { provider: pve, memory: 1GiB, disks: [{ size: 4GiB }], networks: [{ model: virtio }], power: stopped }
`;

interface Status {
  leader: { isLeader: boolean; describe: string };
}

describe("several vmsync watch daemons on PostgreSQL state", () => {
  let tmp: TempTree;
  let sim: ProxmoxSimHandle;
  let env: Record<string, string>;
  let dir: string;
  const procs: WatchProcess[] = [];

  beforeAll(async () => {
    tmp = await tempTree();
    sim = await startProxmoxSim({ dir: join(tmp.dir, "sim"), clusterResourcesLagMs: 0, knobs: { taskDurationMs: 5 } });
    const stack = uniqueName("leader").replace(/_/g, "-");
    env = { PVE_ENDPOINT: sim.endpoint, PVE_CA: sim.caFile, PVE_TOKEN_ID: sim.credentials.tokenId, PVE_TOKEN_SECRET: sim.credentials.tokenSecret, VMSYNC_STATE_URL: testPgUrl(), VMSYNC_STACK: stack };
    dir = join(tmp.dir, "fleet");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "pve.yaml"), provider);
    await writeFile(join(dir, "a.yaml"), vm("alpha"));
  });
  afterEach(() => {
    for (const p of procs.splice(0)) p.kill();
  });
  afterAll(async () => {
    await sim?.close();
    await tmp?.cleanup();
  });

  const status = async (p: WatchProcess): Promise<Status> => (await (await fetch(`${p.url}/status`)).json()) as Status;

  it("one leader applies; after it is killed the other takes over and applies the next change", async () => {
    const args = [".", "--mode", "apply", "--interval", "1h", "--debounce", "200ms", "--lease-ttl", "2s"];
    const a = await startWatch(args, { cwd: dir, env });
    procs.push(a);
    const b = await startWatch(args, { cwd: dir, env });
    procs.push(b);
    await eventually("one leader", async () => {
      const [sa, sb] = await Promise.all([status(a), status(b)]);
      return sa.leader.isLeader !== sb.leader.isLeader;
    });
    const [leader, follower] = (await status(a)).leader.isLeader ? [a, b] : [b, a];
    await eventually("VirtualMachine/alpha applied", async () => (await runCli(["state", "list", "--json"], { cwd: dir, env })).stdout.includes("VirtualMachine/alpha"));

    leader.kill();
    const killedAt = Date.now();
    await eventually("the follower to lead", async () => (await status(follower)).leader.isLeader, 15_000);
    const takeover = Date.now() - killedAt;
    expect(takeover).toBeLessThan(2000 + 2000 / 3 + 3000); // ttl + renewal period + slack for a loaded machine

    await writeFile(join(dir, "b.yaml"), vm("beta"));
    await eventually("VirtualMachine/beta applied by the new leader", async () => (await runCli(["state", "list", "--json"], { cwd: dir, env })).stdout.includes("VirtualMachine/beta"), 20_000);
    const plan = await runCli(["plan", ".", "--detailed-exitcode"], { cwd: dir, env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  }, 90_000);
});
