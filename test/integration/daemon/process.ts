import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BIN } from "../../helpers/cli.js";

/** One JSON log line of the daemon. */
export type LogLine = { time: string; level: string; msg: string } & Record<string, unknown>;

/** Polls `fn` until it returns a truthy value or `ms` pass (then throws naming `what`). */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A `vmsync watch` process (no shell) with its JSON log lines and HTTP address. */
export interface WatchProcess {
  child: ChildProcess;
  lines: LogLine[];
  stderr(): string;
  url: string;
  /** Waits for a log line matching `pred`. */
  waitLog(what: string, pred: (l: LogLine) => boolean, ms?: number): Promise<LogLine>;
  /** Sends `signal` and resolves with the exit code (SIGKILL after `ms`). */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | null>;
  /** SIGKILLs the process if it still runs (for afterEach). */
  kill(): void;
}

/** Starts `vmsync --json watch ARGS` in `cwd` and waits until it serves HTTP. */
export async function startWatch(args: string[], opts: { cwd: string; env: Record<string, string> }): Promise<WatchProcess> {
  const child = spawn(process.execPath, [BIN, "--json", "watch", "--listen", "127.0.0.1:0", ...args], {
    cwd: opts.cwd, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...opts.env }, stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: LogLine[] = [];
  let err = "";
  let buf = "";
  child.stdout!.resume();
  child.stderr!.on("data", (d: Buffer) => {
    err += d;
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        /* not a log line */
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitLog = (what: string, pred: (l: LogLine) => boolean, ms = 20_000) =>
    eventually(`${what} (stderr so far:\n${err.slice(-2000)})`, () => (child.exitCode !== null ? Promise.reject(new Error(`exited ${child.exitCode}`)) : lines.find(pred)), ms);
  const p: WatchProcess = {
    child, lines, stderr: () => err, url: "", waitLog,
    stop: async (signal = "SIGTERM", ms = 20_000) => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const t = setTimeout(() => child.kill("SIGKILL"), ms);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
  try {
    const serving = await waitLog("the HTTP server", (l) => typeof l.url === "string" && l.msg.startsWith("serving"));
    p.url = serving.url as string;
  } catch (e) {
    p.kill();
    throw e;
  }
  return p;
}

/** A local HTTP server collecting webhook bodies. */
export async function webhookReceiver(): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let data = "";
    req.on("data", (d) => (data += d));
    req.on("end", () => {
      try {
        bodies.push(JSON.parse(data));
      } catch {
        bodies.push(data);
      }
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/SECRET-PATH`, bodies,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
