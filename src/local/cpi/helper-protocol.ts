/**
 * The wire protocol between cpi-client (the release's C entry point, whose header documents it:
 * releases/local-cpi/packages/local_cpi/files/cpi-client.c) and the warm helper. Pure: reading
 * what a client sent, in whatever pieces it arrives, and encoding the helper's answers.
 */
import type { CallOutput } from "./call.js";

/** The hello was for this very cpi.js: send the request. */
export const ACCEPTED = Buffer.from("A");
/** The whole request arrived and the call starts: from here on the client may not run it itself. */
export const STARTED = Buffer.from("R");

/**
 * Holds the pid of a helper that was started for this socket and does not listen yet: a call in
 * the meantime waits for it rather than starting node a second time.
 */
export function startingMarker(socketPath: string): string {
  return `${socketPath}.starting`;
}

const HELLO = /^BLC1 ([0-9a-f]{16})\n$/;
const HELLO_LENGTH = 22;
const LENGTH_BYTES = 4;

export type ClientMessage = { kind: "hello"; programHash: string } | { kind: "request"; text: string } | { kind: "invalid" };

/** Splits a client's byte stream into its hello and its request. */
export class ClientReader {
  private pending = Buffer.alloc(0);
  private stage: "hello" | "length" | "body" | "done" = "hello";
  private bodyLength = 0;

  push(chunk: Buffer): ClientMessage[] {
    if (this.stage === "done") return chunk.length === 0 ? [] : [this.fail()];
    this.pending = Buffer.concat([this.pending, chunk]);
    const messages: ClientMessage[] = [];
    for (;;) {
      const need = this.stage === "hello" ? HELLO_LENGTH : this.stage === "length" ? LENGTH_BYTES : this.bodyLength;
      if (this.stage === "done" || this.pending.length < need) return messages;
      const piece = this.pending.subarray(0, need);
      this.pending = this.pending.subarray(need);
      if (this.stage === "hello") {
        const hello = HELLO.exec(piece.toString("latin1"));
        if (hello === null) return [...messages, this.fail()];
        messages.push({ kind: "hello", programHash: hello[1] ?? "" });
        this.stage = "length";
      } else if (this.stage === "length") {
        this.bodyLength = piece.readUInt32BE(0);
        this.stage = "body";
      } else {
        messages.push({ kind: "request", text: piece.toString("utf8") });
        this.stage = "done";
        if (this.pending.length > 0) return [...messages, this.fail()];
      }
    }
  }

  private fail(): ClientMessage {
    this.stage = "done";
    return { kind: "invalid" };
  }
}

/** The helper's answer after STARTED: both lengths, the exit code, then stdout and stderr. */
export function encodeResult(output: Pick<CallOutput, "stdout" | "stderr" | "exitCode">): Buffer {
  const stdout = Buffer.from(output.stdout, "utf8");
  const stderr = Buffer.from(output.stderr, "utf8");
  const header = Buffer.alloc(9);
  header.writeUInt32BE(stdout.length, 0);
  header.writeUInt32BE(stderr.length, 4);
  header.writeUInt8(output.exitCode & 0xff, 8);
  return Buffer.concat([header, stdout, stderr]);
}

/**
 * FNV-1a 64 as 16 hex digits: how cpi-client names the cpi.js it runs. In two 32-bit halves,
 * since multiplying by the prime 2^40 + 0x1b3 is then a multiplication by 0x1b3 plus a shift.
 */
export function fnv1a64(data: Uint8Array): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (const byte of data) {
    lo = (lo ^ byte) >>> 0;
    const low = lo * 0x1b3;
    hi = (hi * 0x1b3 + Math.floor(low / 0x1_0000_0000) + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  }
  return hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
}
