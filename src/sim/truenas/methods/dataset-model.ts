/**
 * The `pool.dataset.create/update` argument models (reference §5.1, §5.3) for both dialects:
 * the 25.04+ undiscriminated union `PoolDatasetCreateFilesystem | PoolDatasetCreateVolume` and the
 * single ≤24.10 `pool_dataset_create` dict, plus the property tables used for rendering.
 */
import { f, type Fields } from "../schema.js";

/** Properties only a FILESYSTEM may carry. */
export const FS_ONLY = ["aclmode", "acltype", "atime", "casesensitivity", "quota", "quota_warning", "quota_critical", "refquota", "refquota_warning", "refquota_critical", "recordsize", "share_type"];
/** Properties only a VOLUME may carry. */
export const VOL_ONLY = ["volsize", "volblocksize", "sparse", "force_size"];
/** Inheritable ZFS properties and their pool-root defaults (upper-case wire values). */
export const INHERITABLE: Record<string, string> = {
  compression: "LZ4",
  sync: "STANDARD",
  readonly: "OFF",
  deduplication: "OFF",
  exec: "ON",
  atime: "OFF",
  snapdir: "HIDDEN",
  checksum: "ON",
  copies: "1",
  recordsize: "128K",
  aclmode: "DISCARD",
  acltype: "POSIX",
  snapdev: "HIDDEN",
};
/** Volume block sizes. */
export const VOLBLOCKSIZES = ["512", "512B", "1K", "2K", "4K", "8K", "16K", "32K", "64K", "128K"];

const onOff = ["ON", "OFF", "INHERIT"];

function common(): Fields {
  return {
    name: f.str({ required: true, maxLength: 200 }),
    comments: f.str({ default: "INHERIT" }),
    sync: f.str({ enum: ["STANDARD", "ALWAYS", "DISABLED", "INHERIT"], default: "INHERIT" }),
    snapdev: f.str({ enum: ["HIDDEN", "VISIBLE", "INHERIT"], default: "INHERIT" }),
    compression: f.str({ default: "INHERIT" }),
    exec: f.str({ enum: onOff, default: "INHERIT" }),
    managedby: f.str({ default: "INHERIT" }),
    checksum: f.str({ default: "INHERIT" }),
    readonly: f.str({ enum: onOff, default: "INHERIT" }),
    copies: f.any({ default: "INHERIT" }),
    deduplication: f.str({ enum: ["ON", "VERIFY", "OFF", "INHERIT"], default: "INHERIT" }),
    reservation: f.int({ min: 0 }),
    refreservation: f.int({ min: 0 }),
    special_small_block_size: f.any(),
    encryption: f.bool({ default: false }),
    encryption_options: f.dict({ default: {} }),
    inherit_encryption: f.bool({ default: true }),
    user_properties: f.list({ default: [], items: { t: "dict", fields: { key: f.str({ required: true }), value: f.str({ required: true }) } } }),
    create_ancestors: f.bool({ default: false }),
  };
}

function fsOnly(): Fields {
  return {
    aclmode: f.str({ enum: ["PASSTHROUGH", "RESTRICTED", "DISCARD", "INHERIT"] }),
    acltype: f.str({ enum: ["OFF", "NFSV4", "POSIX", "INHERIT"] }),
    atime: f.str({ enum: onOff }),
    casesensitivity: f.str({ enum: ["SENSITIVE", "INSENSITIVE", "INHERIT"], default: "INHERIT" }),
    quota: f.int({ null: true, min: 0 }),
    quota_warning: f.any(),
    quota_critical: f.any(),
    refquota: f.int({ null: true, min: 0 }),
    refquota_warning: f.any(),
    refquota_critical: f.any(),
    recordsize: f.str(),
    share_type: f.str({ enum: ["GENERIC", "MULTIPROTOCOL", "NFS", "SMB", "APPS"], default: "GENERIC" }),
    snapdir: f.str({ enum: ["DISABLED", "VISIBLE", "HIDDEN", "INHERIT"] }),
  };
}

function volOnly(required: boolean): Fields {
  return {
    volsize: f.int({ required, min: 0 }),
    volblocksize: f.str({ enum: VOLBLOCKSIZES }),
    sparse: f.bool({ default: false }),
    force_size: f.bool({ default: false }),
  };
}

/** 25.04+: the union members in validation order. */
export function createUnion(): Record<string, Fields> {
  const fs: Fields = { ...common(), type: f.str({ enum: ["FILESYSTEM"], default: "FILESYSTEM" }), ...fsOnly() };
  const vol: Fields = { ...common(), type: f.str({ enum: ["VOLUME"], default: "VOLUME" }), ...volOnly(true) };
  return { PoolDatasetCreateFilesystem: fs, PoolDatasetCreateVolume: vol };
}

/** ≤24.10: the single create dict (type decides which fields make sense; the plugin checks). */
export function createLegacy(): Fields {
  return { ...common(), type: f.str({ enum: ["FILESYSTEM", "VOLUME"], default: "FILESYSTEM" }), ...fsOnly(), ...volOnly(false) };
}

/** Update fields (both dialects): everything mutable, all optional. */
export function updateFields(): Fields {
  const out: Fields = { ...common(), ...fsOnly(), ...volOnly(false) };
  for (const k of ["name", "casesensitivity", "share_type", "sparse", "volblocksize", "encryption", "encryption_options", "inherit_encryption", "create_ancestors", "user_properties"]) delete out[k];
  out.user_properties_update = f.list({ items: { t: "dict", fields: { key: f.str({ required: true }), value: f.str(), remove: f.bool() } } });
  return out;
}
