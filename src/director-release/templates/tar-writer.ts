/**
 * A minimal in-memory ustar writer for the rendered-templates archive: regular files and
 * directories only, fixed owner (0:0) and timestamp, so the same input always gives the same
 * bytes. Rendered jobs are small text files; streaming is not needed here.
 */
export interface TarEntry {
  /** relative path, "/"-separated; directories end with "/" */
  path: string;
  mode: number;
  /** absent for directories */
  content?: Buffer;
}

const BLOCK = 512;
/** 2000-01-01T00:00:00Z: a fixed, plausible mtime (0 makes some tools warn). */
const ARCHIVE_MTIME = 946_684_800;

export function tarBytes(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const size = entry.content?.length ?? 0;
    parts.push(header(entry, size));
    if (entry.content !== undefined && size > 0) {
      parts.push(entry.content, Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK)); // end-of-archive marker
  return Buffer.concat(parts);
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(entry.path);
  block.write(name, 0, 100, "utf8");
  writeOctal(block, entry.mode & 0o7777, 100, 8);
  writeOctal(block, 0, 108, 8); // uid
  writeOctal(block, 0, 116, 8); // gid
  writeOctal(block, size, 124, 12);
  writeOctal(block, ARCHIVE_MTIME, 136, 12);
  block.write(entry.content === undefined ? "5" : "0", 156, 1, "ascii");
  block.write("ustar\0", 257, 6, "ascii");
  block.write("00", 263, 2, "ascii");
  block.write(prefix, 345, 155, "utf8");
  // checksum: byte sum with the checksum field read as eight spaces
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return block;
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length, "ascii");
}

/** ustar keeps up to 100 bytes in `name` and 155 more in `prefix`, split at a "/". */
function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  const trailing = path.endsWith("/") ? "/" : "";
  const bare = trailing ? path.slice(0, -1) : path;
  for (let cut = bare.lastIndexOf("/"); cut > 0; cut = bare.lastIndexOf("/", cut - 1)) {
    const prefix = bare.slice(0, cut);
    const name = bare.slice(cut + 1) + trailing;
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new RangeError(`path too long for a tar archive: ${path}`);
}
