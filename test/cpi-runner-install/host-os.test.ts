import { describe, expect, it } from "vitest";
import { parseOsRelease, readHostOs, stemcellOsOf } from "../../src/cpi-runner/install/host-os.js";

// Abridged from the files these systems ship.
const UBUNTU_JAMMY = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=jammy
`;
const MINT = `NAME="Linux Mint"
VERSION="21.3 (Virginia)"
ID=linuxmint
ID_LIKE="ubuntu debian"
VERSION_CODENAME=virginia
UBUNTU_CODENAME=jammy
`;
const DEBIAN = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
VERSION_ID="12"
VERSION_CODENAME=bookworm
ID=debian
`;
const ALPINE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
`;

describe("stemcellOsOf", () => {
  it.each([
    ["Ubuntu", UBUNTU_JAMMY, "ubuntu-jammy"],
    ["an Ubuntu derivative, by the Ubuntu it is built on", MINT, "ubuntu-jammy"],
    ["Debian, which no stemcell is named after", DEBIAN, "debian-bookworm"],
    ["a system without a codename", ALPINE, undefined],
    ["an empty file", "", undefined],
    ["a codename that is no word", "ID=ubuntu\nVERSION_CODENAME=\"jammy jellyfish\"\n", undefined],
  ])("%s", (_what, text, expected) => {
    expect(stemcellOsOf(parseOsRelease(text))).toBe(expected);
  });
});

describe("parseOsRelease", () => {
  it("unquotes single and double quotes and backslash escapes, and skips comments and blank lines", () => {
    expect(parseOsRelease("# comment\n\nA=plain\nB=\"two words\"\nC='single'\nD=\"say \\\"hi\\\"\"\n  E=indented\nnot a field\n")).toEqual({
      A: "plain",
      B: "two words",
      C: "single",
      D: 'say "hi"',
      E: "indented",
    });
  });
});

describe("readHostOs", () => {
  it("takes BOOTSTRAP_HOST_OS over /etc/os-release, and says so", async () => {
    expect(await readHostOs({ BOOTSTRAP_HOST_OS: " ubuntu-jammy " })).toEqual({ name: "ubuntu-jammy", source: "BOOTSTRAP_HOST_OS" });
  });

  it("reads /etc/os-release when the setting is empty", async () => {
    expect((await readHostOs({ BOOTSTRAP_HOST_OS: "" })).source).not.toBe("BOOTSTRAP_HOST_OS");
  });
});
