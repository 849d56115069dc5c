/**
 * Every YAML input of `bootstrap interpolate/plan/deploy` (manifest, ops file, -l vars file,
 * vars store, -v and --vars-env values) refuses the bomb corpus with YAML_TOO_LARGE naming the
 * input, quickly; and a manifest that multiplies a vars file's value at many ((references)) is
 * measured after interpolation. Before the limits the billion laughs went through every one of
 * them and took minutes and gigabytes in interpolation and the YAML writer.
 */
import { cp, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { evaluateManifest, loadBootstrapManifest, type EvaluateInput, type ManifestInput } from "../../src/manifest/index.js";
import { YAML_BOMBS } from "../common/yaml-bombs.js";

// No wall-clock bound here (a busy machine makes a test slower, never red): the unit layer's
// test timeout is what catches an expansion coming back, which took minutes and gigabytes.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "yaml-bombs-"));
  await cp(join(__dirname, "fixtures"), dir, { recursive: true });
});

const director = (over: Partial<ManifestInput> = {}): ManifestInput => ({
  manifestPath: "director.yml",
  opsFiles: ["cpi.yml", "jumpbox.yml"],
  varFlags: { varsFiles: ["vars.yml"], varsStore: "creds.yml" },
  env: {},
  cwd: dir,
  generation: "dry-run",
  ...over,
});

async function refusal(run: () => Promise<unknown>): Promise<{ error: unknown }> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error };
}

const tooLarge = (named: string) => ({ code: "YAML_TOO_LARGE", message: expect.stringContaining(named) });

describe.each(YAML_BOMBS)("$name", ({ text }) => {
  beforeEach(async () => {
    await writeFile(join(dir, "bomb.yml"), text);
  });

  it("is refused as the manifest, by interpolate and by deploy/plan", async () => {
    const asManifest: EvaluateInput = { manifestPath: "bomb.yml", opsFiles: [], varFlags: {}, env: {}, cwd: dir, generation: "dry-run" };
    const interpolated = await refusal(() => evaluateManifest(asManifest, { expectAllKeys: false, expectAllVarsUsed: false }));
    expect(interpolated.error).toMatchObject(tooLarge("bomb.yml"));
    await expect(loadBootstrapManifest(director({ manifestPath: "bomb.yml" }))).rejects.toMatchObject(tooLarge("bomb.yml"));
  });

  it("is refused as an ops file", async () => {
    const { error } = await refusal(() => loadBootstrapManifest(director({ opsFiles: ["cpi.yml", "bomb.yml"] })));
    expect(error).toMatchObject(tooLarge("bomb.yml"));
  });

  it("is refused as a vars file (-l)", async () => {
    const { error } = await refusal(() => loadBootstrapManifest(director({ varFlags: { varsFiles: ["vars.yml", "bomb.yml"], varsStore: "creds.yml" } })));
    expect(error).toMatchObject(tooLarge("bomb.yml"));
  });

  it("is refused as the vars store", async () => {
    const { error } = await refusal(() => loadBootstrapManifest(director({ varFlags: { varsFiles: ["vars.yml"], varsStore: "bomb.yml" } })));
    expect(error).toMatchObject(tooLarge("bomb.yml"));
  });

  it("is refused as a -v value and as a --vars-env value", async () => {
    const asFlag = await refusal(() => loadBootstrapManifest(director({ varFlags: { varsFiles: ["vars.yml"], varsStore: "creds.yml", vars: { vm_memory: text } } })));
    expect(asFlag.error).toMatchObject(tooLarge("-v vm_memory"));
    const asEnv = await refusal(() => loadBootstrapManifest(director({ varFlags: { varsFiles: ["vars.yml"], varsStore: "creds.yml", varsEnv: ["BOMB"] }, env: { BOMB_vm_memory: text } })));
    expect(asEnv.error).toMatchObject(tooLarge("environment variable BOMB_vm_memory"));
  });
});

describe("a manifest and a vars file each within the limits", () => {
  it("are refused when interpolation multiplies the value at every reference", async () => {
    // 9^4 = 6 561 references to one 1 000-item value: 6.5 million nodes once written out.
    const refs = ['r0: &r0 ["((big))", "((big))", "((big))", "((big))", "((big))", "((big))", "((big))", "((big))", "((big))"]'];
    for (let i = 1; i < 4; i++) refs.push(`r${i}: &r${i} [${Array(9).fill(`*r${i - 1}`).join(", ")}]`);
    await writeFile(join(dir, "multiply.yml"), `${refs.join("\n")}\n`);
    await writeFile(join(dir, "big.yml"), `big: [${Array(1000).fill("x").join(", ")}]\n`);
    const input: EvaluateInput = { manifestPath: "multiply.yml", opsFiles: [], varFlags: { varsFiles: ["big.yml"] }, env: {}, cwd: dir, generation: "dry-run" };
    const { error } = await refusal(() => evaluateManifest(input, { expectAllKeys: true, expectAllVarsUsed: false }));
    expect(error).toMatchObject({ code: "YAML_TOO_LARGE", message: expect.stringContaining("Manifest 'multiply.yml' with its ops files and variables has more than") });
  });
});
