import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { registerValidate } from "./validate.js";

/** Registers every command on the program. One file per command under this folder. */
export function registerCommands(program: Command, io: () => CliIO): void {
  registerValidate(program, io);
}
