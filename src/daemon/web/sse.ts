import type { IncomingMessage, ServerResponse } from "node:http";

/** How often an idle stream gets a comment line, so proxies and browsers keep it open. */
const HEARTBEAT_MS = 15_000;

/**
 * Server-sent event streams of the status page. Each client gets the current state on connect,
 * then every broadcast. `close()` ends every stream (the daemon's shutdown must not wait for
 * browsers that keep their connection open) and refuses new ones.
 */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  /** Number of open streams. */
  get size(): number {
    return this.clients.size;
  }

  /** Starts a stream on `res` and sends `first` (one event) right away. */
  open(req: IncomingMessage, res: ServerResponse, first: { event: string; data: string }): void {
    if (this.closed) {
      res.writeHead(503, { "content-type": "text/plain" }).end("shutting down\n");
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
    res.write("retry: 2000\n\n");
    res.write(frame(first.event, first.data));
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.once("close", drop);
    res.once("close", drop);
    this.heartbeat ??= setInterval(() => {
      for (const c of this.clients) c.write(": ping\n\n");
    }, HEARTBEAT_MS).unref();
  }

  /** Sends one event to every open stream. */
  broadcast(event: string, data: string): void {
    const text = frame(event, data);
    for (const c of this.clients) c.write(text);
  }

  /** Ends every stream and stops the heartbeat; later `open` calls answer 503. */
  close(): void {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}

/** One SSE frame; every line of `data` gets its own `data:` field. */
function frame(event: string, data: string): string {
  return `event: ${event}\n${data.split("\n").map((l) => `data: ${l}`).join("\n")}\n\n`;
}
