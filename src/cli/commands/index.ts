import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { registerApply } from "./apply.js";
import { registerDestroy } from "./destroy.js";
import { registerHistory } from "./history.js";
import { registerImport } from "./import.js";
import { registerState } from "./state.js";
import { registerPlan } from "./plan.js";
import { registerPrices } from "./prices.js";
import { registerSim } from "./sim.js";
import { registerRestart } from "./restart.js";
import { registerSnapshot } from "./snapshot.js";
import { registerStatus } from "./status.js";
import { registerValidate } from "./validate.js";
import { registerWatch } from "./watch.js";

/** Registers every command on the program. One file per command under this folder. */
export function registerCommands(program: Command, io: () => CliIO): void {
  registerValidate(program, io);
  registerPlan(program, io);
  registerApply(program, io);
  registerDestroy(program, io);
  registerState(program, io);
  registerHistory(program, io);
  registerImport(program, io);
  registerSim(program, io);
  registerStatus(program, io);
  registerRestart(program, io);
  registerSnapshot(program, io);
  registerWatch(program, io);
  registerPrices(program, io);
}
