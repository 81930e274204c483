import { compileDefaults } from "./defaults.js";
import { CronExpressionParser } from "cron-parser";
import type { DesiredResource } from "./model.js";
import { lifecycleOf, reportAt, sourceOf, type ResolveContext } from "./resolve.js";
import { SnapshotScheduleSpec } from "./schema/index.js";
import { deepCopy } from "./clone.js";

/** SnapshotScheduleSpec's defaults, compiled once (see compileDefaults). */
const fillScheduleDefaults = compileDefaults(SnapshotScheduleSpec);

/** Keywords accepted in `schedule`, and the cron expression each stands for (UTC). */
export const SCHEDULE_KEYWORDS: Record<string, string> = { hourly: "0 * * * *", daily: "0 0 * * *", weekly: "0 0 * * 0" };

/** The five-field cron expression of a schedule string, or undefined when it is not valid. */
export function cronOf(schedule: string): string | undefined {
  const expr = SCHEDULE_KEYWORDS[schedule] ?? schedule;
  if (expr.trim().split(/\s+/).length !== 5) return undefined;
  try {
    CronExpressionParser.parse(expr, { tz: "UTC" });
    return expr;
  } catch {
    return undefined;
  }
}

/**
 * Resolves SnapshotSchedules: a valid schedule, retention, and targets by name (a replicated VM's
 * base name stands for all its replicas) or label selector, resolved to addresses. A schedule
 * depends on its targets.
 */
export function resolveSchedules(ctx: ResolveContext, resources: DesiredResource[]): DesiredResource<"SnapshotSchedule">[] {
  const out: DesiredResource<"SnapshotSchedule">[] = [];
  for (const doc of ctx.byKind.get("SnapshotSchedule")?.values() ?? []) {
    const spec = fillScheduleDefaults(deepCopy(doc.value.spec)) as SnapshotScheduleSpec;
    if (!cronOf(spec.schedule)) reportAt(ctx, doc, ["spec", "schedule"], "invalid-schedule", `"${spec.schedule}" is not a schedule`, "Use hourly, daily, weekly or a five-field cron expression such as \"0 3 * * *\".");
    const targets = new Set<string>();
    spec.targets.forEach((t, i) => {
      if ((t.name === undefined) === (t.selector === undefined)) return reportAt(ctx, doc, ["spec", "targets", i], "invalid-value", "a target needs exactly one of name or selector", "Write name: NAME or selector: {matchLabels: {…}}.");
      const ofKind = resources.filter((r) => r.kind === t.kind && r.attachmentOf === undefined); // NfsShare/x@pve is the same share
      const matches = t.name !== undefined
        ? ofKind.filter((r) => r.name === t.name || r.replicaOf === t.name)
        : ofKind.filter((r) => Object.entries(t.selector!.matchLabels).every(([k, v]) => r.labels[k] === v));
      if (matches.length === 0 && t.name !== undefined) reportAt(ctx, doc, ["spec", "targets", i, "name"], "dangling-reference", `${t.kind}/${t.name} is not defined`, `Name an existing ${t.kind}.`);
      else if (matches.length === 0) ctx.bag.add({ severity: "warning", ...doc.source.positionOf(["spec", "targets", i, "selector"]), code: "empty-selector", path: `spec.targets[${i}].selector`, message: `the selector matches no ${t.kind}`, hint: "Check the labels." });
      for (const m of matches) targets.add(m.address);
    });
    // Targets on providers with native schedules (TrueNAS) get a derived resource per provider;
    // the rest stay with vmsync's own schedule (taken by the daemon / `vmsync snapshot run`).
    const byAddress = new Map(resources.map((r) => [r.address, r]));
    const native = new Map<string, string[]>();
    const own: string[] = [];
    for (const t of [...targets].sort()) {
      const provider = byAddress.get(t)?.provider;
      if (provider && ctx.providers.get(provider)?.spec.type === "truenas") native.set(provider, [...(native.get(provider) ?? []), t]);
      else own.push(t);
    }
    const base: DesiredResource<"SnapshotSchedule"> = {
      address: `SnapshotSchedule/${doc.name}`, kind: "SnapshotSchedule", name: doc.name,
      labels: ((doc.value.metadata as { labels?: Record<string, string> }).labels ?? {}),
      spec: { ...spec, resolvedTargets: own }, lifecycle: lifecycleOf(spec as Record<string, unknown>),
      dependsOn: [...own, ...(spec.dependsOn ?? [])].sort(), source: sourceOf(doc),
    };
    out.push(base);
    for (const [provider, list] of native) {
      const targetInfo = Object.fromEntries(list.map((a) => {
        const t = byAddress.get(a)!;
        const dataset = (t.spec as { dataset?: string }).dataset;
        return [a, { ...(t.externalName ? { externalName: t.externalName } : {}), ...(dataset ? { dataset } : {}) }];
      }));
      out.push({ ...base, address: `${base.address}@${provider}`, provider, externalName: doc.name, spec: { ...spec, resolvedTargets: list, targetInfo }, dependsOn: [...list], attachmentOf: base.address });
    }
  }
  return out;
}
