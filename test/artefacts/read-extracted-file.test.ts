import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkExtractedFile, readExtractedFile } from "../../src/artefacts/read-extracted-file.js";

let root: string;
let tree: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "read-extracted-"));
  tree = join(root, "job");
  mkdirSync(join(tree, "templates"), { recursive: true });
  writeFileSync(join(root, "secret"), "outside");
  writeFileSync(join(tree, "templates", "config.erb"), "inside");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("readExtractedFile and checkExtractedFile", () => {
  it("read and accept a plain file", async () => {
    expect((await readExtractedFile(tree, "templates/config.erb", "the template")).toString()).toBe("inside");
    await expect(checkExtractedFile(tree, "templates/config.erb", "the template")).resolves.toBeUndefined();
  });

  it.each([
    ["a link to a file inside", () => symlinkSync("config.erb", join(tree, "templates", "link.erb")), "templates/link.erb", "is a symbolic link"],
    ["a link to a file outside", () => symlinkSync("../../secret", join(tree, "templates", "link.erb")), "templates/link.erb", "is a symbolic link"],
    ["a file under a linked directory that leads outside", () => symlinkSync(root, join(tree, "up")), "up/secret", "outside the archive"],
  ])("refuse %s with UNSAFE_ARCHIVE", async (_what, plant, file, problem) => {
    plant();
    const unsafe = { code: "UNSAFE_ARCHIVE", message: expect.stringContaining(problem) };
    await expect(readExtractedFile(tree, file, "the template")).rejects.toMatchObject(unsafe);
    await expect(checkExtractedFile(tree, file, "the template")).rejects.toMatchObject(unsafe);
  });

  it("leave a missing file or a directory to the caller as ENOENT or EISDIR", async () => {
    await expect(readExtractedFile(tree, "monit", "monit")).rejects.toMatchObject({ code: "ENOENT" });
    await expect(checkExtractedFile(tree, "monit", "monit")).rejects.toMatchObject({ code: "ENOENT" });
    await expect(readExtractedFile(tree, "templates", "monit")).rejects.toMatchObject({ code: "EISDIR" });
    await expect(checkExtractedFile(tree, "templates", "monit")).rejects.toMatchObject({ code: "EISDIR" });
  });

  it("refuses a file bigger than it may be with ARCHIVE_TOO_LARGE", async () => {
    await expect(readExtractedFile(tree, "templates/config.erb", "the template", 3)).rejects.toMatchObject({ code: "ARCHIVE_TOO_LARGE" });
  });
});
