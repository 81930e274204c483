import type { Duplex } from "node:stream";
import { forward, handshake, type SshEndpoint } from "./connect.js";
import { GuestError } from "./errors.js";
import type { Client } from "./ssh2.js";

/**
 * One SSH connection per bastion for a whole session: every guest behind it is reached through a
 * `direct-tcpip` forward on that connection, so reading 500 guests costs 500 guest handshakes, not
 * 1000. A bastion connection that fails or closes is dropped and opened again on the next use;
 * `close()` ends them all.
 */
export class BastionPool {
  private readonly open = new Map<string, Promise<Client>>();

  async forward(via: SshEndpoint & { hostKey: string }, target: SshEndpoint, what: string, timeoutMs: number): Promise<Duplex> {
    const key = JSON.stringify([via.host, via.port, via.user, via.hostKey]);
    let pending = this.open.get(key);
    if (!pending) {
      pending = this.connect(via, what, timeoutMs);
      this.open.set(key, pending);
      pending.then((c) => c.once("close", () => this.open.get(key) === pending && this.open.delete(key)), () => this.open.get(key) === pending && this.open.delete(key));
    }
    return forward(await pending, target, what);
  }

  close(): void {
    for (const p of this.open.values()) p.then((c) => c.end(), () => undefined);
    this.open.clear();
  }

  private async connect(via: SshEndpoint & { hostKey: string }, what: string, timeoutMs: number): Promise<Client> {
    const clients: Client[] = [];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        clients.forEach((c) => c.destroy());
        reject(new GuestError(`cannot reach the bastion ${via.host}:${via.port} (for ${what}): no SSH login within ${Math.round(timeoutMs / 1000)}s (timed out)`, "GUEST_TIMEOUT"));
      }, timeoutMs);
    });
    try {
      return (await Promise.race([handshake(via, undefined, clients, `the bastion ${via.host}:${via.port} (for ${what})`), late])).client;
    } finally {
      clearTimeout(timer);
    }
  }
}
