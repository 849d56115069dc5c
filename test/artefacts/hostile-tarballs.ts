/**
 * A corpus of hostile tarballs, written header by header at test time (never committed): node
 * tar refuses to create most of these (`..` paths, absolute names, escaping link chains,
 * devices, sizes a header only claims), which is the point. Each case says what an honest
 * extractor must answer and, where the case is about escaping, which file outside the target
 * it tries to reach, so a test can prove that file was not reached.
 */
import { gzipSync } from "node:zlib";

export interface HeaderSpec {
  path: string;
  /** ustar type flag: "0" file, "1" hard link, "2" symlink, "3" char device, "4" block device, "5" directory, "6" FIFO */
  type?: string;
  content?: Buffer | string;
  linkpath?: string;
  /** size written into the header instead of the content's (the data that follows is still the content) */
  declaredSize?: number;
}

/** One 512-byte ustar header. Sizes beyond the octal field are written base-256, as GNU tar does. */
export function tarHeader(spec: HeaderSpec, bodyLength: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(spec.path, 0, 100, "utf8");
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  const size = spec.declaredSize ?? bodyLength;
  if (size < 0o77777777777) header.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  else {
    header[124] = 0x80;
    let rest = BigInt(size);
    for (let i = 135; i > 124; i--) {
      header[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
  }
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write(spec.type ?? "0", 156);
  header.write(spec.linkpath ?? "", 157, 100, "utf8");
  header.write("ustar\0", 257);
  header.write("00", 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return header;
}

const padding = (length: number): Buffer => Buffer.alloc((512 - (length % 512)) % 512);

/** An uncompressed tar stream of `entries`, with the two zero blocks that end it. */
export function tarStream(entries: HeaderSpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.content === "string" ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0));
    blocks.push(tarHeader(e, body.length), body, padding(body.length));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export const gzipTar = (entries: HeaderSpec[]): Buffer => gzipSync(tarStream(entries));

/**
 * A tarball with one big file (`name`, `chunks` × `chunk` bytes) without holding it whole: gzip
 * members are concatenated (gunzip reads them as one stream), and the chunk is compressed once.
 */
export function bigFileTarball(before: HeaderSpec[], name: string, chunk: Buffer, chunks: number, level: number): Buffer {
  const size = chunk.length * chunks;
  const head = Buffer.concat([tarStream(before).subarray(0, -1024), tarHeader({ path: name, declaredSize: size }, size)]);
  const packedChunk = gzipSync(chunk, { level });
  const tail = Buffer.concat([padding(size), Buffer.alloc(1024)]);
  return Buffer.concat([gzipSync(head), ...Array.from({ length: chunks }, () => packedChunk), gzipSync(tail)]);
}

export interface HostileCase {
  class: "path" | "symlink" | "symlink chain" | "hard link" | "special file" | "size";
  name: string;
  entries: HeaderSpec[];
  code: "UNSAFE_ARCHIVE" | "ARCHIVE_TOO_LARGE";
  /** an entry whose content, if readable after extraction, would be the outside file's */
  leak?: string;
}

/** `a/b/…/l` twelve deep, pointing back up to the top: lexically it is the top; so it really is. */
const DEEP = Array.from({ length: 12 }, (_, i) => `d${i + 1}`).join("/");
const UP12 = Array.from({ length: 12 }, () => "..").join("/");
const UP13 = Array.from({ length: 13 }, () => "..").join("/");

/** `secret` is the name of a file in the directory that holds the extraction target. */
export function hostileCorpus(secret: string): HostileCase[] {
  const ok = { path: "ok.txt", content: "fine" };
  return [
    { class: "path", name: "a '../../evil' path", entries: [ok, { path: "../../evil", content: "x" }], code: "UNSAFE_ARCHIVE" },
    { class: "path", name: "a nested 'a/../../evil' path", entries: [ok, { path: "a/../../evil", content: "x" }], code: "UNSAFE_ARCHIVE" },
    { class: "path", name: "an absolute '/abs/evil' path", entries: [ok, { path: "/abs/evil", content: "x" }], code: "UNSAFE_ARCHIVE" },
    { class: "symlink", name: "a symlink out of the directory", entries: [ok, { path: "sub/link", type: "2", linkpath: "../../etc" }], code: "UNSAFE_ARCHIVE" },
    { class: "symlink", name: "an absolute symlink to /etc/passwd", entries: [ok, { path: "link", type: "2", linkpath: "/etc/passwd" }], code: "UNSAFE_ARCHIVE" },
    {
      // The chain: a/b -> .. is the top; up -> a/b/.. looks like `a` but is the top's parent.
      class: "symlink chain",
      name: `a chain a/b -> .., up -> a/b/.. reaching ../${secret}`,
      entries: [ok, { path: "leak", type: "2", linkpath: `up/${secret}` }, { path: "a/b", type: "2", linkpath: ".." }, { path: "up", type: "2", linkpath: "a/b/.." }],
      code: "UNSAFE_ARCHIVE",
      leak: "leak",
    },
    {
      class: "symlink chain",
      name: "a twelve-deep chain reaching /etc/passwd",
      entries: [ok, { path: "passwd", type: "2", linkpath: "root/etc/passwd" }, { path: `${DEEP}/l`, type: "2", linkpath: UP12 }, { path: "root", type: "2", linkpath: `${DEEP}/l/${UP13}` }],
      code: "UNSAFE_ARCHIVE",
      leak: "passwd",
    },
    {
      // Links last: node-tar's own rule (no link through an existing link) sees the chain.
      class: "symlink chain",
      name: "the same chain with its reading link last",
      entries: [ok, { path: "a/b", type: "2", linkpath: ".." }, { path: "up", type: "2", linkpath: "a/b/.." }, { path: "leak", type: "2", linkpath: `up/${secret}` }],
      code: "UNSAFE_ARCHIVE",
      leak: "leak",
    },
    {
      // Nothing to read yet, but a later write through `drop` would land outside.
      class: "symlink chain",
      name: "a dangling chain whose missing end is outside",
      entries: [ok, { path: "drop", type: "2", linkpath: "up/planted/file" }, { path: "a/b", type: "2", linkpath: ".." }, { path: "up", type: "2", linkpath: "a/b/.." }],
      code: "UNSAFE_ARCHIVE",
    },
    { class: "symlink chain", name: "a loop x -> y -> x", entries: [ok, { path: "x", type: "2", linkpath: "y" }, { path: "y", type: "2", linkpath: "x" }], code: "UNSAFE_ARCHIVE" },
    {
      class: "symlink chain",
      name: "a file written through the archive's own link",
      entries: [ok, { path: "real/", type: "5" }, { path: "via", type: "2", linkpath: "real" }, { path: "via/f.txt", content: "x" }],
      code: "UNSAFE_ARCHIVE",
    },
    { class: "hard link", name: "a hard link to /etc/passwd", entries: [ok, { path: "passwd", type: "1", linkpath: "/etc/passwd" }], code: "UNSAFE_ARCHIVE", leak: "passwd" },
    { class: "hard link", name: `a hard link to ../${secret}`, entries: [ok, { path: "hard", type: "1", linkpath: `../${secret}` }], code: "UNSAFE_ARCHIVE", leak: "hard" },
    { class: "hard link", name: "a hard link to a directory of the archive", entries: [ok, { path: "dir/", type: "5" }, { path: "hard", type: "1", linkpath: "dir" }], code: "UNSAFE_ARCHIVE" },
    { class: "special file", name: "a character device", entries: [ok, { path: "tty0", type: "3" }], code: "UNSAFE_ARCHIVE" },
    { class: "special file", name: "a block device", entries: [ok, { path: "sda", type: "4" }], code: "UNSAFE_ARCHIVE" },
    { class: "special file", name: "a FIFO", entries: [ok, { path: "pipe", type: "6" }], code: "UNSAFE_ARCHIVE" },
    { class: "size", name: "an entry whose header claims 1 PiB", entries: [ok, { path: "huge.img", content: "tiny", declaredSize: 1024 ** 5 }], code: "ARCHIVE_TOO_LARGE" },
    { class: "size", name: "an entry whose header claims 100 GiB", entries: [ok, { path: "big.img", content: "tiny", declaredSize: 100 * 1024 ** 3 }], code: "ARCHIVE_TOO_LARGE" },
  ];
}
