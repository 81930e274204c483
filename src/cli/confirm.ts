import { createInterface } from "node:readline/promises";
import type { CliIO } from "./io.js";
import { UsageError } from "./errors.js";

/**
 * Asks for confirmation on a terminal; only `yes` proceeds. Off a terminal there is nobody to ask:
 * without --auto-approve that is an error, so CI never applies by accident.
 */
export async function confirmApply(io: CliIO, autoApprove: boolean, question = "Do you want to perform these actions?"): Promise<boolean> {
  if (autoApprove) return true;
  if (!io.stdin.isTTY || !io.stdout.isTTY) throw new UsageError("refusing to apply without confirmation: not running on a terminal", "Review the plan, then run again with --auto-approve (or apply a saved plan file).");
  const rl = createInterface({ input: io.stdin, output: io.stdout as NodeJS.WritableStream });
  try {
    const answer = await rl.question(`\n${io.color.bold(question)}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `);
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}
