import zlib from 'node:zlib';

let table: Int32Array | undefined;

/** Table-driven CRC-32 (IEEE, as zlib), for Node versions before 20.15 that lack zlib.crc32. */
export function crc32Portable(data: Uint8Array, initial = 0): number {
  if (table === undefined) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = ~initial;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/**
 * CRC-32 (IEEE 802.3, the zlib/gzip/PNG one) of `data`, continuing from `initial` (a previous
 * result) so that pieces can be checksummed without concatenating them. Native when available.
 */
export const crc32: (data: Uint8Array, initial?: number) => number =
  typeof native === 'function' ? (data, initial = 0) => native(data, initial) : crc32Portable;
