/**
 * Seeded mutations of manifest text for the validate soak: characters and spans deleted or
 * inserted, YAML syntax tokens and odd values dropped in, lines swapped, duplicated, re-indented or
 * removed, keys misspelt, the file truncated, line endings and encodings changed, small alias
 * trees. Each case applies one to three of them.
 */
import type { SeededRandom } from "../../src/sim/knobs.js";

const TOKENS = [": ", "- ", "[", "]", "{", "}", "*a", "&a ", "\t", "---\n", "...\n", "\n  ", "#", "|", ">", "!!str ", "!!binary ", "? ", ",", "'", '"', "%YAML 1.2\n", "<<: *a\n"];
const VALUES = [
  "", "null", "~", "-1", "0", "1e999", "99999999999999999999", "[]", "{}", "yes", "0x10", "0o17", ".inf", "-.nan", "2GiB", "-5GiB", "0MiB", "1.5", "true",
  "{env: }", "{env: NOT_SET_ANYWHERE}", "{file: ../../../../etc/passwd}", "{file: }", "{env: X, file: y}", "'unterminated", '"bad \\x escape"', "!!binary AAAA", "&anchor value",
  "*undefined_alias", "2026-13-45", "web_1", "UPPER", "a".repeat(300), "ü✓\u0000\u0007", "[1, [2, [3, [4]]]]", "{a: {b: {c: {d: 1}}}}", "-", "Kind/name", "VirtualMachine/nope",
];
const KEYS = ["spec", "metadata", "name", "kind", "apiVersion", "provider", "memory", "disks", "networks", "cpu", "cores", "size", "template", "replicas", "attachTo", "targets", "retention", "protect", "dependsOn", "ignoreChanges", "selector", "auth", "endpoint", "tls", "defaults"];

function randomText(random: SeededRandom, max: number): string {
  const alphabet = "abcXYZ019 -_:./{}[]#&*!|>'\"\t\n\\é✓";
  let s = "";
  for (let i = 0, n = 1 + random.int(max); i < n; i++) s += alphabet[random.int(alphabet.length)];
  return s;
}

function pick<T>(random: SeededRandom, list: readonly T[]): T {
  return list[random.int(list.length)]!;
}

/** One mutation of `text`. */
function mutateOnce(text: string, random: SeededRandom): string {
  const at = random.int(text.length + 1);
  const lines = text.split("\n");
  const li = random.int(lines.length);
  switch (random.int(14)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + random.int(20));
    case 1:
      return text.slice(0, at) + randomText(random, 12) + text.slice(at);
    case 2:
      return text.slice(0, at) + pick(random, TOKENS) + text.slice(at);
    case 3: {
      const lj = random.int(lines.length);
      [lines[li], lines[lj]] = [lines[lj]!, lines[li]!];
      return lines.join("\n");
    }
    case 4:
      lines.splice(li, 0, lines[li]!);
      return lines.join("\n");
    case 5:
      lines.splice(li, 1);
      return lines.join("\n");
    case 6:
      lines[li] = random.chance(0.5) ? " ".repeat(1 + random.int(4)) + lines[li] : random.chance(0.5) ? `\t${lines[li]}` : lines[li]!.replace(/^ {1,4}/, "");
      return lines.join("\n");
    case 7: {
      const m = /^(\s*-?\s*[^:#]+:\s)(.*)$/.exec(lines[li]!);
      if (!m) return text.slice(0, at) + pick(random, VALUES) + text.slice(at);
      lines[li] = m[1] + pick(random, VALUES);
      return lines.join("\n");
    }
    case 8:
      return text.slice(0, at);
    case 9: {
      const m = /^(\s*-?\s*)([A-Za-z]+)(:.*)$/.exec(lines[li]!);
      if (!m) return text;
      const key = random.chance(0.5) ? pick(random, KEYS) : m[2]!.slice(0, -1) + randomText(random, 2).replace(/[^a-z]/g, "x");
      lines[li] = m[1] + key + m[3];
      return lines.join("\n");
    }
    case 10:
      return random.chance(0.5) ? text.replace(/\n/g, "\r\n") : `\uFEFF${text}`;
    case 11: {
      // a small tree of aliases (within the loader's limit, or beyond it)
      const depth = 2 + random.int(5);
      let block = "x0: &a0 [v, v, v]\n";
      for (let i = 1; i < depth; i++) block += `x${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]\n`;
      lines.splice(li, 0, ...block.trimEnd().split("\n"));
      return lines.join("\n");
    }
    case 12:
      return `${text}\n---\n${lines.slice(li, li + 1 + random.int(12)).join("\n")}`;
    default:
      lines[li] = "";
      return lines.join("\n");
  }
}

/** `text` with one to three seeded mutations. */
export function mutate(text: string, random: SeededRandom): string {
  let out = text;
  for (let i = 0, n = 1 + random.int(3); i < n; i++) out = mutateOnce(out, random);
  return out;
}
