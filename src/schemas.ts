import { PlanSchema } from "./reconcile/plan-schema.js";
import { FleetReportSchema } from "./status/fleet-schema.js";

/**
 * Schemas shipped in `schemas/` besides the manifest kinds (e.g. the saved plan format). Each module
 * that owns a format registers its schema here so that one generator writes them all.
 */
export function extraSchemaFiles(): Record<string, Record<string, unknown>> {
  return {
    "plan.schema.json": { $schema: "https://json-schema.org/draft/2020-12/schema", $id: "https://vmsync.io/schemas/v1/plan.schema.json", ...JSON.parse(JSON.stringify(PlanSchema)) },
    "status.schema.json": { $schema: "https://json-schema.org/draft/2020-12/schema", $id: "https://vmsync.io/schemas/v1/status.schema.json", ...JSON.parse(JSON.stringify(FleetReportSchema)) },
  };
}
