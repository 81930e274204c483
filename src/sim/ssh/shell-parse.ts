/**
 * Splits the command line of an SSH exec request into words the way `sh` does for the subset vmsync
 * sends: blanks separate words, '…' quotes literally, "…" quotes with \" \\ \$ \` escapes, a
 * backslash outside quotes escapes the next character. Anything a simulated guest's shell does not
 * implement (unquoted ; & | < > ( ) $ ` or a glob) is refused rather than misread.
 */
export function splitWords(line: string): string[] | { error: string } {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { error: "Syntax error: Unterminated quoted string" };
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) word += line[++j];
        else if (line[j] === "$" || line[j] === "`") return { error: `Syntax error: expansion (${line[j]}) is not supported by this simulated guest` };
        else word += line[j];
      }
      if (j >= line.length) return { error: "Syntax error: Unterminated quoted string" };
      inWord = true;
      i = j;
    } else if (ch === "\\") {
      if (i + 1 < line.length) word += line[++i];
      inWord = true;
    } else if (ch === " " || ch === "\t" || ch === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (";&|<>()$`*?[".includes(ch)) {
      return { error: `Syntax error: "${ch}" is not supported by this simulated guest (it runs single commands)` };
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
