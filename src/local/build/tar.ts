/**
 * A deterministic tar.gz writer: entries sorted by path, fixed mtime, owner root:root, fixed
 * modes, and Node's gzip (which writes a zero mtime and a fixed OS byte into its header), so
 * the same inputs always give the same bytes. Plain ustar, readable by GNU tar and Go's
 * archive/tar (bosh-cli) alike.
 */
import { gzipSync } from "node:zlib";

export interface TarEntry {
  /** Relative path with "/" separators; directories end without a slash. */
  path: string;
  /** File content; undefined for a directory. */
  content?: Buffer;
  mode?: number;
}

/** 2024-01-01T00:00:00Z: a fixed, plausible timestamp (tar warns about epoch 0). */
const FIXED_MTIME = 1_704_067_200;

export function tgz(entries: TarEntry[]): Buffer {
  return gzipSync(tar(entries), { level: 9 });
}

function tar(entries: TarEntry[]): Buffer {
  const all = withParentDirectories(entries).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const blocks: Buffer[] = [];
  for (const entry of all) {
    const isDir = entry.content === undefined;
    const content = entry.content ?? Buffer.alloc(0);
    blocks.push(header(isDir ? `${entry.path}/` : entry.path, content.length, entry.mode ?? (isDir ? 0o755 : 0o644), isDir));
    blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** Adds a directory entry for every parent not listed, so extraction never invents modes. */
function withParentDirectories(entries: TarEntry[]): TarEntry[] {
  const seen = new Set(entries.map((e) => e.path));
  const extra: TarEntry[] = [];
  for (const entry of entries) {
    const parts = entry.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!seen.has(dir)) {
        seen.add(dir);
        extra.push({ path: dir });
      }
    }
  }
  return [...entries, ...extra];
}

function header(path: string, size: number, mode: number, isDir: boolean): Buffer {
  const block = Buffer.alloc(512);
  const { name, prefix } = splitPath(path);
  block.write(name, 0, 100, "utf8");
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, FIXED_MTIME);
  block.fill(" ", 148, 156);
  block.write(isDir ? "5" : "0", 156, 1, "ascii");
  block.write("ustar\u000000", 257, 8, "ascii");
  block.write("root", 265, 32, "ascii");
  block.write("root", 297, 32, "ascii");
  block.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "ascii");
  return block;
}

function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  const cut = path.lastIndexOf("/", path.length - 2);
  const name = path.slice(cut + 1);
  const prefix = path.slice(0, cut);
  if (cut <= 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) {
    throw new Error(`Path too long for a ustar archive: ${path}`);
  }
  return { name, prefix };
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, "0")}\u0000`, offset, length, "ascii");
}
