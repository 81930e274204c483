import { paramError } from "./errors.js";
import { Reply, type Router } from "./router.js";
import { P, num, str, validate } from "./schema.js";
import { isUpid } from "./tasks.js";
import type { SimContext } from "./context.js";
import type { TaskRecord } from "./world.js";

/**
 * Task endpoints: list, `status` (running → stopped with `exitstatus`), `log` (`{n,t}` lines with
 * `total`), and `DELETE` (stop). Unknown UPIDs are 400 `{upid: "no such task"}`, unparsable ones
 * `unable to parse worker upid`.
 */
function findTask(sim: SimContext, node: string, upid: string): TaskRecord {
  sim.checkNode(node);
  if (!isUpid(upid)) paramError({ upid: `unable to parse worker upid '${upid}'` });
  const task = sim.tasks.find(upid);
  if (!task || task.node !== node) paramError({ upid: "no such task" });
  return task;
}

function statusView(t: TaskRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    upid: t.upid, node: t.node, pid: t.pid, pstart: t.pstart, starttime: t.starttime, type: t.type, id: t.id, user: t.user, status: t.status,
  };
  if (t.tokenid) out.tokenid = t.tokenid;
  if (t.status === "stopped") out.exitstatus = t.exitstatus;
  return out;
}

/** Registers the `/nodes/{node}/tasks…` routes. */
export function registerTaskRoutes(router: Router): void {
  router.add("GET", "/nodes/{node}/tasks", ({ sim, input }) => {
    const p = validate(input, {
      props: {
        node: P.node, vmid: { ...P.vmid, optional: true }, typefilter: P.optStr, source: { type: "string", optional: true, enum: ["archive", "active", "all"] },
        errors: P.optBool, limit: P.optInt, start: P.optInt, since: P.optInt, until: P.optInt, userfilter: P.optStr, statusfilter: P.optStr,
      },
    });
    const node = str(p, "node")!;
    sim.checkNode(node);
    const source = str(p, "source") ?? "archive";
    const all = sim.tasks.list().filter((t) => {
      if (t.node !== node) return false;
      if (p.vmid !== undefined && t.id !== String(p.vmid)) return false;
      if (p.typefilter !== undefined && t.type !== p.typefilter) return false;
      if (source === "active" && t.status !== "running") return false;
      if (source === "archive" && t.status === "running") return false;
      if (p.errors === 1 && (t.status === "running" || t.exitstatus === "OK")) return false;
      if (p.userfilter !== undefined && !t.user.includes(String(p.userfilter))) return false;
      if (p.since !== undefined && t.starttime < Number(p.since)) return false;
      if (p.until !== undefined && t.starttime > Number(p.until)) return false;
      return true;
    });
    const start = num(p, "start") ?? 0;
    const limit = num(p, "limit") ?? 50;
    const items = all.slice(start, start + limit).map((t) => {
      const e: Record<string, unknown> = { upid: t.upid, node: t.node, pid: t.pid, pstart: t.pstart, starttime: t.starttime, type: t.type, id: t.id, user: t.user };
      if (t.tokenid) e.tokenid = t.tokenid;
      if (t.status === "stopped") Object.assign(e, { status: t.exitstatus, endtime: t.endtime });
      return e;
    });
    return new Reply(items, { total: all.length });
  });
  router.add("GET", "/nodes/{node}/tasks/{upid}", ({ sim, input }) => {
    findTask(sim, String(input.node), String(input.upid));
    return [{ name: "log" }, { name: "status" }];
  });
  router.add("GET", "/nodes/{node}/tasks/{upid}/status", ({ sim, input }) => statusView(findTask(sim, String(input.node), String(input.upid))));
  router.add("GET", "/nodes/{node}/tasks/{upid}/log", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, upid: { type: "string" }, start: P.optInt, limit: P.optInt, download: P.optBool } });
    const task = findTask(sim, str(p, "node")!, str(p, "upid")!);
    const start = num(p, "start") ?? 0;
    const limit = num(p, "limit") ?? 50;
    const lines = task.log.length > 0 ? task.log : ["no content"];
    const data = lines.slice(start, start + limit).map((t, i) => ({ n: start + i + 1, t }));
    return new Reply(data, { total: lines.length });
  });
  router.add("DELETE", "/nodes/{node}/tasks/{upid}", ({ sim, input }) => {
    findTask(sim, String(input.node), String(input.upid));
    return null;
  });
}
