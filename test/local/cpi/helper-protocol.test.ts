/**
 * The warm helper's pure parts: reading a client's bytes however they are split, the answer's
 * framing, the program hash cpi-client computes too, and which socket directories are safe.
 */
import { describe, expect, it } from "vitest";
import { ClientReader, encodeResult, fnv1a64 } from "../../../src/local/cpi/helper-protocol.js";
import { isPrivateDir } from "../../../src/local/cpi/helper-server.js";
import { takeSetting } from "../../../src/local/cpi/helper-start.js";

const HASH = "0123456789abcdef";
const hello = Buffer.from(`BLC1 ${HASH}\n`);
const framed = (text: string) => {
  const body = Buffer.from(text, "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
};

describe("ClientReader", () => {
  it("reads the hello and then the request, byte by byte as well as at once", () => {
    const all = Buffer.concat([hello, framed('{"method":"info","arguments":["ü"]}')]);
    const expected = [
      { kind: "hello", programHash: HASH },
      { kind: "request", text: '{"method":"info","arguments":["ü"]}' },
    ];
    expect(new ClientReader().push(all)).toEqual(expected);
    const bytewise = new ClientReader();
    expect([...all].flatMap((byte) => bytewise.push(Buffer.from([byte])))).toEqual(expected);
  });

  it("waits for the whole request: a client that stops half-way has sent no request", () => {
    const reader = new ClientReader();
    expect(reader.push(Buffer.concat([hello, framed("{}0123").subarray(0, 7)]))).toEqual([{ kind: "hello", programHash: HASH }]);
    expect(reader.push(Buffer.from("0"))).toEqual([]);
  });

  it("takes an empty request as one (the call then answers that it is invalid)", () => {
    expect(new ClientReader().push(Buffer.concat([hello, framed("")]))).toEqual([
      { kind: "hello", programHash: HASH },
      { kind: "request", text: "" },
    ]);
  });

  it("rejects another protocol's hello, and bytes after the request", () => {
    expect(new ClientReader().push(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n"))).toEqual([{ kind: "invalid" }]);
    expect(new ClientReader().push(Buffer.from(`BLC2 ${HASH}\n`))).toEqual([{ kind: "invalid" }]);
    const extra = new ClientReader().push(Buffer.concat([hello, framed("{}"), Buffer.from("x")]));
    expect(extra.at(-1)).toEqual({ kind: "invalid" });
  });
});

describe("encodeResult", () => {
  it("frames stdout and stderr by their byte lengths, then the exit code", () => {
    const frame = encodeResult({ stdout: '{"result":"é"}\n', stderr: "log\n", exitCode: 3 });
    const stdoutLength = Buffer.byteLength('{"result":"é"}\n');
    expect(frame.readUInt32BE(0)).toBe(stdoutLength);
    expect(frame.readUInt32BE(4)).toBe(4);
    expect(frame.readUInt8(8)).toBe(3);
    expect(frame.subarray(9, 9 + stdoutLength).toString("utf8")).toBe('{"result":"é"}\n');
    expect(frame.subarray(9 + stdoutLength).toString("utf8")).toBe("log\n");
  });
});

describe("fnv1a64", () => {
  it("matches FNV-1a 64's published test vectors (cpi-client.c computes the same)", () => {
    expect(fnv1a64(Buffer.from(""))).toBe("cbf29ce484222325");
    expect(fnv1a64(Buffer.from("a"))).toBe("af63dc4c8601ec8c");
    expect(fnv1a64(Buffer.from("foobar"))).toBe("85944171f73967e8");
  });
});

describe("isPrivateDir", () => {
  const dir = (uid: number, mode: number, directory = true) => ({ isDirectory: () => directory, uid, mode: 0o40000 | mode });
  it("accepts only a directory of our own that nobody else may enter", () => {
    expect(isPrivateDir(dir(1000, 0o700), 1000)).toBe(true);
    expect(isPrivateDir(dir(1000, 0o750), 1000)).toBe(false);
    expect(isPrivateDir(dir(1000, 0o701), 1000)).toBe(false);
    expect(isPrivateDir(dir(1001, 0o700), 1000)).toBe(false);
    expect(isPrivateDir(dir(1000, 0o700, false), 1000)).toBe(false);
  });
});

describe("takeSetting", () => {
  it("returns a setting and removes it, so that children do not inherit it", () => {
    const env: NodeJS.ProcessEnv = { A: "/tmp/x.sock", B: "" };
    expect(takeSetting(env, "A")).toBe("/tmp/x.sock");
    expect(env).toEqual({ B: "" });
    expect(takeSetting(env, "B")).toBeUndefined();
    expect(takeSetting(env, "C")).toBeUndefined();
  });
});
