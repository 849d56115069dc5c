// compile_package against a real agent: packaging scripts really build with gcc from a compiled
// dependency's content, results come back as blobs with their SHA-1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, callTask, getBlob, putBlob, taskValue } from "./support/agent-rpc.js";
import { startAgent, type StartedAgent } from "./support/start-agent.js";
import { digests, makeTarball } from "./support/tarball.js";

const IP = "127.0.20.2";
let agent: StartedAgent;
let work: string;

beforeAll(async () => {
  agent = await startAgent({ ip: IP });
  work = await mkdtemp(join(tmpdir(), "agent-compile-test-"));
});
afterAll(async () => {
  await agent?.stop();
  await rm(work, { recursive: true, force: true });
});

interface Compiled { result: { blobstore_id: string; sha1: string } }

describe("compile_package", () => {
  it("compiles a package against a compiled dependency and returns the compiled blob", async () => {
    // given: a dependency whose compiled content the second package's build consumes
    const greetSrc = join(work, "libgreet-src.tgz");
    const greet = await makeTarball(greetSrc, {
      packaging: 'set -e\necho "hello from $BOSH_PACKAGE_NAME $BOSH_PACKAGE_VERSION" > "$BOSH_INSTALL_TARGET/greeting.txt"\n',
    });
    expect(await putBlob(agent, "libgreet-src", greetSrc)).toBe(201);
    const greetCompiled = (await taskValue(agent, "compile_package", ["libgreet-src", greet.sha1, "libgreet", "1.0", {}])) as Compiled;
    expect(greetCompiled.result.sha1).toMatch(/^[0-9a-f]{40}$/);

    const helloSrc = join(work, "hello-src.tgz");
    const hello = await makeTarball(helloSrc, {
      "hello/hello.c": '#include <stdio.h>\nint main(void) { puts(GREETING); return 0; }\n',
      packaging: [
        "set -e",
        'test "$BOSH_COMPILE_TARGET" = "$PWD"',
        'GREETING="$(cat "$(dirname "$BOSH_INSTALL_TARGET")/libgreet/greeting.txt")"',
        'mkdir -p "$BOSH_INSTALL_TARGET/bin"',
        'gcc -DGREETING="\\"$GREETING\\"" -o "$BOSH_INSTALL_TARGET/bin/hello" hello/hello.c',
        "",
      ].join("\n"),
    });
    expect(await putBlob(agent, "hello-src", helloSrc)).toBe(201);

    // when: the dependent package is compiled (source digest given as sha256, the strongest wins)
    const deps = { libgreet: { name: "libgreet", version: "1.0", sha1: greetCompiled.result.sha1, blobstore_id: greetCompiled.result.blobstore_id } };
    const helloCompiled = (await taskValue(agent, "compile_package", ["hello-src", `sha1:${hello.sha1};sha256:${hello.sha256}`, "hello", "2.0", deps])) as Compiled;

    // then: the compiled blob is downloadable, matches its SHA-1, and holds a working binary
    const blob = join(work, "hello-compiled.tgz");
    expect(await getBlob(agent, helloCompiled.result.blobstore_id, blob)).toBe(200);
    expect((await digests(blob)).sha1).toBe(helloCompiled.result.sha1);
    const out = join(work, "hello-out");
    await mkdir(out);
    execFileSync("tar", ["-xzf", blob, "-C", out]);
    expect(execFileSync(join(out, "bin", "hello")).toString()).toBe("hello from libgreet 1.0\n");
    // and compilation leaves no package installed
    expect(await readdir(join(agent.baseDir, "packages"))).toEqual([]);
    expect(await readFile(join(agent.baseDir, "sys", "log", "compilation", "packaging.stderr.log"), "utf8")).toContain("gcc");
  });

  it("refuses a source blob whose digest does not match", async () => {
    const src = join(work, "tampered.tgz");
    await makeTarball(src, { packaging: "true\n" });
    await putBlob(agent, "tampered-src", src);
    const reply = await callTask(agent, "compile_package", ["tampered-src", `sha256:${"0".repeat(64)}`, "tampered", "1", {}]);
    expect(reply.exception?.message).toMatch(/Task .* result: Fetching package blob tampered-src: Checking downloaded blob 'tampered-src': Expected stream to have digest/);
  });

  it("reports a failing packaging script with its exit code and output", async () => {
    const src = join(work, "broken.tgz");
    const broken = await makeTarball(src, { packaging: "echo about to fail\nexit 3\n" });
    await putBlob(agent, "broken-src", src);
    const reply = await callTask(agent, "compile_package", ["broken-src", broken.sha1, "broken", "1", {}]);
    expect(reply.exception?.message).toMatch(/Compiling package broken: Running packaging script: Command exited with 3; Stdout: about to fail/);
  });

  it("needs all five arguments", async () => {
    const reply = await callTask(agent, "compile_package", ["only-one"]);
    expect(reply.exception?.message).toContain("Not enough arguments, expected 5, got 1");
    expect(await call(agent, "ping")).toEqual({ value: "pong" });
  });
});
