/**
 * RSA keys generated ahead of the variables that take them. A first deploy generates several
 * (the CA's, each certificate's, the SSH tunnel's), each up to seconds of one core; one after
 * the other they were the longest stage of it. Ahead, they run side by side on libuv's threads
 * (and beside the embedded Ruby's boot), as many at once as there are cores: after Ctrl-C the
 * process still waits for the keys being made, and no more start. A variable takes a key of its
 * size from here, or has one generated when none waits. A key is random whoever takes it:
 * generating it earlier changes nothing but when the work is done.
 */
import { certificateOptions } from "./certificate-options.js";
import type { RsaKeyPair } from "./rsa-keys.js";

export class KeyPool {
  private readonly waiting = new Map<number, Promise<RsaKeyPair>[]>();
  private readonly queue: (() => void)[] = [];
  private running = 0;

  constructor(
    private readonly generate: (bits: number) => Promise<RsaKeyPair>,
    private readonly concurrency: number,
  ) {}

  /** Queues one key per entry; a key that fails (or is not started after `signal`) fails the variable that takes it. */
  ahead(sizes: readonly number[], signal?: AbortSignal): void {
    for (const bits of sizes) {
      const key = new Promise<RsaKeyPair>((resolve, reject) => {
        this.queue.push(() => {
          if (signal?.aborted === true) return reject(signal.reason);
          this.running++;
          this.generate(bits)
            .then(resolve, reject)
            .finally(() => {
              this.running--;
              this.startQueued();
            });
        });
      });
      key.catch(() => undefined);
      const list = this.waiting.get(bits) ?? [];
      list.push(key);
      this.waiting.set(bits, list);
    }
    this.startQueued();
  }

  take(bits: number): Promise<RsaKeyPair> {
    return this.waiting.get(bits)?.shift() ?? this.generate(bits);
  }

  private startQueued(): void {
    while (this.running < this.concurrency) {
      const start = this.queue.shift();
      if (start === undefined) return;
      start();
    }
  }
}

const RSA_BITS = 2048;

/**
 * The sizes of the keys these definitions' generators will ask for. A certificate definition
 * its generator will refuse (a key_length or another option that is wrong or still a
 * ((variable)), no CA named for a leaf) starts nothing: the generator says what is wrong when
 * it runs, and no key is made that nothing takes.
 */
export function keySizesFor(definitions: readonly { type?: string; options?: unknown }[]): number[] {
  return definitions.flatMap((d): number[] => {
    if (d.type === "rsa" || d.type === "ssh") return [RSA_BITS];
    if (d.type !== "certificate") return [];
    try {
      return [certificateOptions(d.options).keyLength];
    } catch {
      return [];
    }
  });
}
