import type { Command } from "commander";
import type { CliIO } from "../io.js";

/** Registers one command (its options, help and action) on the program. */
export type Register = (program: Command, io: () => CliIO) => void;

/**
 * Every command, in help order: its name and how to load the module that registers it. The one
 * place to add a command — one line, `load` a dynamic import — so that a run loads only the
 * command it runs (and its dependencies): `vmsync --version` loads none, `vmsync plan` never
 * loads the simulators, the daemon, PostgreSQL or the SSH client. test/e2e/lazy-startup.test.ts checks
 * what --version and a command's help load.
 */
export const COMMANDS: ReadonlyArray<{ name: string; load: () => Promise<Register> }> = [
  { name: "validate", load: async () => (await import("./validate.js")).registerValidate },
  { name: "plan", load: async () => (await import("./plan.js")).registerPlan },
  { name: "apply", load: async () => (await import("./apply.js")).registerApply },
  { name: "destroy", load: async () => (await import("./destroy.js")).registerDestroy },
  { name: "state", load: async () => (await import("./state.js")).registerState },
  { name: "history", load: async () => (await import("./history.js")).registerHistory },
  { name: "import", load: async () => (await import("./import.js")).registerImport },
  { name: "sim", load: async () => (await import("./sim.js")).registerSim },
  { name: "status", load: async () => (await import("./status.js")).registerStatus },
  { name: "restart", load: async () => (await import("./restart.js")).registerRestart },
  { name: "snapshot", load: async () => (await import("./snapshot.js")).registerSnapshot },
  { name: "watch", load: async () => (await import("./watch.js")).registerWatch },
  { name: "prices", load: async () => (await import("./prices.js")).registerPrices },
];

/**
 * The command `argv` runs: its first word that is not an option (the global options take no
 * values), or the word after `help`. Undefined for `vmsync`, `vmsync --help`, `vmsync --version`.
 */
export function invokedCommand(argv: string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}

/**
 * Registers what this run needs: only the invoked command when it is known; nothing for a bare
 * `--version`; every command otherwise (the program's help lists them all, and an unknown
 * command gets "did you mean" suggestions).
 */
export async function registerCommands(program: Command, io: () => CliIO, argv: string[]): Promise<void> {
  const name = invokedCommand(argv);
  const known = COMMANDS.find((c) => c.name === name);
  const versionOnly = name === undefined && argv.some((a) => a === "--version" || a === "-V") && !argv.some((a) => a === "--help" || a === "-h");
  const wanted = known ? [known] : versionOnly ? [] : COMMANDS;
  for (const register of await Promise.all(wanted.map((c) => c.load()))) register(program, io);
}
