/**
 * `service.*` (reference §6.2): query, update (`enable`), start/stop/restart/reload (plain calls
 * returning a bool) and, on 25.10+, the `service.control` job.
 */
import { instanceNotFound } from "../errors.js";
import type { MethodCtx, MethodTable } from "../registry.js";
import { f } from "../schema.js";
import type { Persona } from "../versions.js";
import type { ServiceRecord } from "../world.js";
import { arity, dictArg, queryMethod, strArg } from "./common.js";

function render(s: ServiceRecord): Record<string, unknown> {
  return { id: s.id, service: s.service, enable: s.enable, state: s.state, pids: s.state === "RUNNING" ? [4000 + s.id] : [] };
}

function find(ctx: MethodCtx, idOrName: unknown): ServiceRecord {
  for (const s of ctx.sim.world.services.values()) if (s.service === idOrName || s.id === idOrName) return s;
  throw instanceNotFound("Service", idOrName);
}

function control(ctx: MethodCtx, verb: string, s: ServiceRecord): boolean {
  const before = s.state;
  if (verb === "STOP") s.state = "STOPPED";
  else if (verb === "START" || verb === "RESTART") s.state = "RUNNING";
  if (before !== s.state) {
    ctx.sim.world.touch();
    ctx.sim.publish("service.query", "changed", s.id, render(s));
  }
  return verb === "STOP" ? false : s.state === "RUNNING";
}

const controlOptions = { ha_propagate: f.bool({ default: true }), silent: f.bool({ default: true }), timeout: f.int({ null: true, default: 120 }) };

/** Registers `service.*`. */
export function registerService(t: MethodTable, p: Persona): void {
  t.set("service.query", queryMethod((ctx) => [...ctx.sim.world.services.values()].map(render)));
  t.set("service.update", {
    call: (ctx, params) => {
      arity(ctx, params, ["id_or_name", "service_update"], 2);
      const key = p.line === "25.10" ? params[0] : strArg(ctx, params[0], "id_or_name");
      const data = dictArg(ctx, params[1], p.pydantic ? "service_update" : "service-update", { enable: f.bool() }, true);
      const s = find(ctx, key);
      if (typeof data.enable === "boolean") s.enable = data.enable;
      ctx.sim.world.touch();
      return s.id;
    },
  });
  for (const verb of ["start", "stop", "restart", "reload"]) {
    t.set(`service.${verb}`, {
      call: (ctx, params) => {
        arity(ctx, params, ["service", "options"], 1);
        const s = find(ctx, strArg(ctx, params[0], "service"));
        dictArg(ctx, params[1], "options", controlOptions);
        return control(ctx, verb.toUpperCase(), s);
      },
    });
  }
  t.set("service.started", {
    call: (ctx, params) => find(ctx, strArg(ctx, params[0], "service")).state === "RUNNING",
  });
  if (!p.serviceControl) return;
  t.set("service.control", {
    job: (ctx, params) => {
      arity(ctx, params, ["verb", "service", "options"], 2);
      const verb = params[0];
      const v = dictArg(ctx, { verb }, "", { verb: f.str({ required: true, enum: ["START", "STOP", "RESTART", "RELOAD"] }) });
      const s = find(ctx, strArg(ctx, params[1], "service"));
      dictArg(ctx, params[2], "options", controlOptions);
      return () => control(ctx, v.verb as string, s);
    },
  });
}
