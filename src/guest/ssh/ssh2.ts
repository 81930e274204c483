import ssh2 from "ssh2";
import type { Client as ClientType, Server as ServerType } from "ssh2";

/**
 * ssh2 is a CommonJS package: Node's ESM loader cannot see its named exports, so they are taken
 * from its default export here, once, for the guest layer and the SSH simulator.
 */
export const { Client, Server, utils } = ssh2;
export type Client = ClientType;
export type Server = ServerType;
