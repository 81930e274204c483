/**
 * Soak: 10,000 (SOAK_CASES) seeded mutations of the example manifests through `vmsync validate`:
 * in a worker thread with the real CLI entry (`run`, captured output) for speed — the main thread
 * gives each case 15 s and reports a hang (the worker is replaced) — and one case in 100 as a
 * process, in text mode. Every case must exit 0 (valid) or 1 (errors), never as a bug, and every
 * diagnostic must name the file, a line within it and a column.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { mutate } from "./mutate.js";
import { report, soakRandom } from "./seed.js";

const CASES = Number(process.env.SOAK_CASES ?? 10_000);
const PROCESS_EVERY = 100;
const CASE_TIMEOUT_MS = 15_000;
const BASES = ["demo", "homelab", "azure-dev"];

interface Diag { severity: string; file: string; line: number; column: number; message: string }

let root: string;
const originals = new Map<string, Map<string, string>>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vmsync-soak-validate-"));
  for (const base of BASES) {
    await cp(resolve("examples/clusters", base), join(root, base), { recursive: true });
    const files = new Map<string, string>();
    for (const f of (await readdir(join(root, base))).filter((n) => n.endsWith(".yaml"))) files.set(f, await readFile(join(root, base, f), "utf8"));
    originals.set(base, files);
  }
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** The worker running validate, replaced when a case hangs. */
class ValidateWorker {
  private worker!: Worker;
  private ready!: Promise<void>;
  private waiting = new Map<number, (r: { code: number; stdout: string; stderr: string }) => void>();

  constructor() {
    this.spawn();
  }

  private spawn(): void {
    this.worker = new Worker(new URL("./validate-worker.mjs", import.meta.url));
    this.ready = new Promise((r) => this.worker.once("message", () => r()));
    this.worker.on("message", (m: { id?: number; code: number; stdout: string; stderr: string }) => {
      if (m.id === undefined) return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
  }

  /** Runs one case; undefined when it did not finish within the timeout (the worker is then replaced). */
  async run(id: number, dir: string): Promise<{ code: number; stdout: string; stderr: string } | undefined> {
    await this.ready;
    const done = new Promise<{ code: number; stdout: string; stderr: string }>((r) => this.waiting.set(id, r));
    this.worker.postMessage({ id, dir, cwd: root });
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([done, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), CASE_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (!result) {
      this.waiting.delete(id);
      await this.worker.terminate();
      this.spawn();
    }
    return result;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Problems with the diagnostics' positions: the file must be one of the case, the line within it. */
function positionProblems(diags: Diag[], texts: Map<string, string>, base: string): string[] {
  const out: string[] = [];
  for (const d of diags) {
    const name = d.file.split(/[\\/]/).pop() ?? "";
    const text = texts.get(name);
    const lines = text === undefined ? 0 : text.split("\n").length;
    if (!d.file.includes(base) || text === undefined) out.push(`diagnostic names an unknown file ${d.file}: ${d.message}`);
    else if (!(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines + 1)) out.push(`${d.file}: line ${d.line} is outside the file (${lines} lines): ${d.message}`);
    if (!(Number.isInteger(d.column) && d.column >= 1)) out.push(`${d.file}:${d.line}: column ${d.column}: ${d.message}`);
  }
  return out;
}

it(`validates ${CASES} mutated manifests: exit 0 or 1, positions on every diagnostic, no hang, no bug`, async () => {
  const { seed, random } = soakRandom("validate-mutations");
  const worker = new ValidateWorker();
  const t0 = Date.now();
  const tally = { cases: 0, valid: 0, invalid: 0, diagnostics: 0, processes: 0, hangs: 0 };
  const problems: string[] = [];
  try {
    for (let i = 0; i < CASES; i++) {
      const base = BASES[random.int(BASES.length)]!;
      const files = originals.get(base)!;
      const names = [...files.keys()];
      const file = names[random.int(names.length)]!;
      const text = mutate(files.get(file)!, random);
      const texts = new Map(files).set(file, text);
      const dir = join(root, base);
      await writeFile(join(dir, file), text);
      const where = `case ${i} (seed ${seed}; ${base}/${file})`;
      tally.cases++;
      const r = await worker.run(i, base);
      if (!r) {
        tally.hangs++;
        problems.push(`${where}: no answer within ${CASE_TIMEOUT_MS / 1000} s`);
      } else {
        if (r.code !== 0 && r.code !== 1) problems.push(`${where}: exit ${r.code}: ${r.stderr.slice(0, 500)}`);
        if (/internal error|a bug in vmsync/.test(r.stderr)) problems.push(`${where}: reported as a bug: ${r.stderr.slice(0, 1500)}`);
        let doc: { valid: boolean; diagnostics: Diag[] } | undefined;
        try {
          doc = JSON.parse(r.stdout) as { valid: boolean; diagnostics: Diag[] };
        } catch {
          problems.push(`${where}: --json output is not JSON: ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
        }
        if (doc) {
          tally[doc.valid ? "valid" : "invalid"]++;
          tally.diagnostics += doc.diagnostics.length;
          if (doc.valid !== (r.code === 0)) problems.push(`${where}: exit ${r.code} but valid=${doc.valid}`);
          if (!doc.valid && !doc.diagnostics.some((d) => d.severity === "error")) problems.push(`${where}: invalid without an error diagnostic`);
          problems.push(...positionProblems(doc.diagnostics, texts, base).map((p) => `${where}: ${p}`));
        }
      }
      if (i % PROCESS_EVERY === PROCESS_EVERY - 1) {
        tally.processes++;
        const p = await runCli(["validate", base, "--no-color"], { cwd: root, timeoutMs: 60_000 });
        if (p.code !== 0 && p.code !== 1) problems.push(`${where} as a process: exit ${p.code ?? p.signal}: ${p.stderr.slice(0, 500)}`);
        const headers = p.stderr.split("\n").filter((l) => / (error|warning): /.test(l) && !l.startsWith(" "));
        for (const h of headers) if (!/^\S.*?:\d+:\d+: (error|warning): /.test(h)) problems.push(`${where} as a process: a diagnostic without file:line:column: ${h}`);
        if (p.code === 1 && !headers.some((h) => / error: /.test(h))) problems.push(`${where} as a process: exit 1 without a positioned error: ${p.stderr.slice(0, 500)}`);
        if (/internal error|a bug in vmsync/.test(p.stderr)) problems.push(`${where} as a process: reported as a bug`);
      }
      await writeFile(join(dir, file), files.get(file)!);
      if (problems.length >= 20) break;
    }
  } finally {
    await worker.close();
  }
  report("validate-mutations", { seed, ...tally, problems: problems.length, minutes: ((Date.now() - t0) / 60_000).toFixed(1) });
  expect(problems, problems.slice(0, 20).join("\n")).toEqual([]);
  expect(tally.cases).toBe(CASES);
});
