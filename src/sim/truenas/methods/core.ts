/**
 * `core.*` and `system.*`: ping, connection options, jobs (`core.get_jobs`, `core.job_wait`,
 * `core.job_abort`), subscriptions (`core.subscribe`/`core.unsubscribe`), method listing, and the
 * version/info calls that answer the imitated version.
 */
import { randomUUID } from "node:crypto";
import { CallError, ERRNO } from "../errors.js";
import type { MethodTable } from "../registry.js";
import type { Persona } from "../versions.js";
import { arity, intArg, queryMethod, strArg } from "./common.js";

/** Registers `core.*` and `system.*`. */
export function registerCore(t: MethodTable, p: Persona): void {
  t.set("core.ping", { noAuth: true, call: () => "pong" });
  if (p.jsonRpc) {
    t.set("core.set_options", {
      noAuth: true,
      call: (ctx, params) => {
        arity(ctx, params, ["options"], 1);
        const o = (params[0] ?? {}) as Record<string, unknown>;
        const keys = p.legacyJobsOption ? ["legacy_jobs", "private_methods", "py_exceptions"] : ["py_exceptions"];
        for (const k of keys) if (typeof o[k] === "boolean") (ctx.session.options as Record<string, boolean>)[k] = o[k] as boolean;
        return p.legacyJobsOption ? { ...ctx.session.options } : null;
      },
    });
  }
  t.set("core.get_jobs", queryMethod((ctx) => ctx.sim.jobs.list()));
  t.set("core.job_wait", {
    job: (ctx, params) => {
      arity(ctx, params, ["id"], 1);
      const id = intArg(ctx, params[0]);
      return () => {
        if (!ctx.sim.jobs.has(id)) throw new CallError(`Job ${id} does not exist`, ERRNO.ENOENT);
        return ctx.sim.jobs.wait(id);
      };
    },
  });
  t.set("core.job_abort", {
    call: (ctx, params) => {
      arity(ctx, params, ["id"], 1);
      intArg(ctx, params[0]);
      return null;
    },
  });
  t.set("core.subscribe", {
    call: (ctx, params) => {
      arity(ctx, params, ["event"], 1);
      const name = strArg(ctx, params[0], "event");
      const id = randomUUID();
      ctx.session.subs.set(id, name);
      return id;
    },
  });
  t.set("core.unsubscribe", {
    call: (ctx, params) => {
      arity(ctx, params, ["id"], 1);
      ctx.session.subs.delete(String(params[0]));
      return null;
    },
  });
  t.set("core.get_methods", {
    call: (ctx) => {
      const out: Record<string, unknown> = {};
      for (const [name, def] of ctx.sim.table) out[name] = { description: null, job: Boolean(def.job), require_websocket: false };
      return out;
    },
  });

  t.set("system.version", { call: () => p.versionString });
  t.set("system.version_short", { call: () => p.version });
  t.set("system.product_type", { call: () => p.productType });
  t.set("system.ready", { call: () => true });
  t.set("system.state", { call: () => "READY" });
  t.set("system.boot_id", { call: (ctx) => ctx.sim.bootId });
  t.set("system.info", {
    call: (ctx) => {
      const now = Date.now();
      return {
        version: p.versionString,
        buildtime: { $date: now - 86_400_000 * 30 },
        hostname: "truenas-sim",
        physmem: ctx.sim.settings.hostMemoryMiB * 1048576,
        model: "vmsync simulator CPU",
        cores: 16,
        physical_cores: 8,
        loadavg: [0.1, 0.1, 0.1],
        uptime: `${Math.floor((now - ctx.sim.startedAt) / 1000)} seconds`,
        uptime_seconds: (now - ctx.sim.startedAt) / 1000,
        system_serial: "SIM0001",
        system_product: "vmsync-truenas-sim",
        system_product_version: p.version,
        license: null,
        boottime: { $date: ctx.sim.startedAt },
        datetime: { $date: now },
        timezone: "UTC",
        system_manufacturer: "vmsync",
        ecc_memory: false,
      };
    },
  });
}
