/** Severity of a daemon log line. */
export type LogLevel = "info" | "warn" | "error";

/** Fields attached to a log line; values are plain JSON and never secrets. */
export type LogFields = Record<string, string | number | boolean | undefined | string[]>;

/**
 * How the daemon reports what it does. Lines go to stderr: `TIME LEVEL message key=value…` for
 * people, or one JSON object per line with `--json` (for log collectors).
 */
export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/** A logger writing to `out`, human-readable or JSON lines; `now` stamps each line. */
export function streamLogger(out: { write(s: string): unknown }, opts: { json: boolean; now: () => number }): Logger {
  return {
    log(level, message, fields = {}) {
      const time = new Date(opts.now()).toISOString();
      const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      if (opts.json) {
        out.write(JSON.stringify({ time, level, msg: message, ...clean }) + "\n");
        return;
      }
      const extra = Object.entries(clean).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : typeof v === "string" && /\s/.test(v) ? JSON.stringify(v) : String(v)}`);
      out.write(`${time} ${level.toUpperCase().padEnd(5)} ${message}${extra.length ? " " + extra.join(" ") : ""}\n`);
    },
  };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { lines: Array<{ level: LogLevel; message: string; fields: LogFields }> } {
  const lines: Array<{ level: LogLevel; message: string; fields: LogFields }> = [];
  return { lines, log: (level, message, fields = {}) => void lines.push({ level, message, fields }) };
}
