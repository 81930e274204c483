import { createRequire } from "node:module";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { AJV_OPTIONS, EXTRA_KEYWORDS, schemaHash } from "../../src/manifest/ajv-setup.js";
import { kindSchemas, type KindName } from "../../src/manifest/schema/index.js";

const require = createRequire(import.meta.url);
/** What `npm run build` generated (dist/manifest/validators/<Kind>.cjs). */
const prebuilt = (kind: KindName) => require(`../../dist/manifest/validators/${kind}.cjs`) as { validate: ValidateFunction; schemaHash: string };

const ajv = new Ajv2020(AJV_OPTIONS);
for (const keyword of EXTRA_KEYWORDS) ajv.addKeyword({ keyword });

const docs: Array<[KindName, unknown]> = [
  ["VirtualMachine", { apiVersion: "vmsync.io/v1", kind: "VirtualMachine", metadata: { name: "web" }, spec: { provider: "pve", memory: "2GiB", cpu: { cores: 2 } } }],
  ["VirtualMachine", { apiVersion: "vmsync.io/v1", kind: "VirtualMachine", metadata: { name: "Web_1" }, spec: { provider: "pve", memory: 2, cpu: { cores: 0, bogus: 1 }, disks: [] } }],
  ["Provider", { apiVersion: "vmsync.io/v1", kind: "Provider", metadata: { name: "pve" }, spec: { type: "proxmox", endpoint: "https://x:8006", auth: { tokenId: "a@b!c", tokenSecret: "inline" } } }],
  ["Provider", { apiVersion: "vmsync.io/v1", kind: "Provider", metadata: { name: "az" }, spec: { type: "azure", rateLimit: 0, auth: { type: "static-token" } } }],
  ["NfsShare", { apiVersion: "vmsync.io/v1", kind: "NfsShare", metadata: { name: "media" }, spec: { provider: "nas", size: "lots" } }],
  ["SnapshotSchedule", { apiVersion: "vmsync.io/v1", kind: "SnapshotSchedule", metadata: { name: "n" }, spec: { targets: [], schedule: 3 } }],
  ["VmTemplate", { apiVersion: "vmsync.io/v1", kind: "VmTemplate", metadata: { name: "t" }, spec: { memory: "1GiB", proxmox: { provider: "pve", vmid: 5 } } }],
];

const shape = (v: ValidateFunction) => (v.errors ?? []).map((e) => ({ path: e.instancePath, schemaPath: e.schemaPath, keyword: e.keyword, params: e.params, parent: e.parentSchema !== undefined }));

describe("validators compiled at build time", () => {
  it("were compiled from the current schemas", () => {
    for (const kind of Object.keys(kindSchemas) as KindName[]) expect(prebuilt(kind).schemaHash).toBe(schemaHash(kind));
  });

  it("accept and reject exactly what run-time compiled ones do, with the same errors", () => {
    for (const [kind, doc] of docs) {
      const runtime = ajv.compile(kindSchemas[kind]);
      const ok = runtime(structuredClone(doc));
      const validate = prebuilt(kind).validate;
      expect(validate(structuredClone(doc)), `${kind} ${JSON.stringify(doc)}`).toBe(ok);
      expect(shape(validate)).toEqual(shape(runtime));
    }
  });
});
