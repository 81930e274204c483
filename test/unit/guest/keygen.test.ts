import { describe, expect, it } from "vitest";
import { utils } from "../../../src/guest/ssh/ssh2.js";
import { generateEd25519 } from "../../../src/guest/ssh/keygen.js";

describe("generateEd25519", () => {
  // ssh2's own generator writes an unreadable key about 3 times in 1,000: 1,000 pairs would most likely
  // surely include one, which made simulated guests and SSH tests fail at random
  it("only returns pairs that ssh2 reads back (1,000 in a row)", () => {
    for (let i = 0; i < 1000; i++) {
      const pair = generateEd25519();
      const parsed = utils.parseKey(pair.private);
      expect(parsed instanceof Error ? parsed.message : "ok").toBe("ok");
    }
  });

  it("keeps the passphrase and comment", () => {
    const pair = generateEd25519({ passphrase: "pw", cipher: "aes256-ctr", rounds: 4, comment: "c@x" });
    expect(utils.parseKey(pair.private)).toBeInstanceOf(Error);
    const parsed = utils.parseKey(pair.private, "pw");
    expect(parsed instanceof Error || Array.isArray(parsed) ? "bad" : parsed.comment).toBe("c@x");
  });
});
