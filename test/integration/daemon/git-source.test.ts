import { writeFile } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkGitArgs, GitSource, redactUserinfo, type GitRunner } from "../../../src/daemon/git-source.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";
import { git } from "./git.js";

describe("GitSource (real git, local repository)", () => {
  let origin: TempTree;
  let work: TempTree;
  beforeEach(async () => {
    origin = await tempTree({ "fleet/vms.yaml": "# v1\n" });
    work = await tempTree();
    await git(origin.dir, "init", "-q");
    await git(origin.dir, "add", ".");
    await git(origin.dir, "commit", "-qm", "one");
  });
  afterEach(async () => {
    await origin.cleanup();
    await work.cleanup();
  });

  it("clones, sees a new commit with ls-remote, and checks it out", async () => {
    const src = new GitSource({ url: origin.dir, branch: "main", dir: work.path("repo") });
    const first = await src.checkout();
    expect(first).toBe(await git(origin.dir, "rev-parse", "HEAD"));
    expect(await src.head()).toBe(first);
    await writeFile(origin.path("fleet/vms.yaml"), "# v2\n");
    await git(origin.dir, "commit", "-qam", "two");
    const second = await src.head();
    expect(second).not.toBe(first);
    expect(await readFile(work.path("repo/fleet/vms.yaml"), "utf8")).toBe("# v1\n"); // head() changes nothing
    expect(await src.checkout()).toBe(second);
    expect(src.revision).toBe(second);
    expect(await readFile(work.path("repo/fleet/vms.yaml"), "utf8")).toBe("# v2\n");
  });

  it("passes arguments as an array with -- before the URL, and refuses option-looking values", async () => {
    const calls: string[][] = [];
    const run: GitRunner = async (args) => {
      calls.push(args);
      return args[0] === "rev-parse" ? "a".repeat(40) : "";
    };
    await new GitSource({ url: "https://git.example/infra.git", branch: "main", dir: work.path("r"), run }).checkout();
    expect(calls[0]).toEqual(["clone", "--quiet", "--no-tags", "--single-branch", "--branch", "main", "--", "https://git.example/infra.git", work.path("r")]);
    expect(() => checkGitArgs("--upload-pack=evil", "main")).toThrow();
    expect(() => checkGitArgs("https://x/y.git", "-x")).toThrow();
    expect(() => checkGitArgs("https://x/y.git", "a;rm -rf /")).toThrow();
    expect(redactUserinfo("https://user:tok3n@git.example/x.git")).toBe("https://git.example/x.git");
  });
});
