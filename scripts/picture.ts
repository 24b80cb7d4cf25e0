import { crc32, deflateSync } from 'node:zlib';

/**
 * A small, real PNG drawn from a function of (x, y) → [r, g, b]: the demo's customer photo and
 * the browser tests' attachment, without shipping binary files in the repository.
 */
export function pngPicture(width: number, height: number, color: (x: number, y: number) => [number, number, number]): Buffer {
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const start = y * (width * 3 + 1); // each row starts with filter type 0 (none)
    for (let x = 0; x < width; x++) rows.set(color(x, y), start + 1 + x * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A mug on a table with a crack across it: what a customer photographs after a bad delivery. */
export function crackedMugPicture(): Buffer {
  return pngPicture(240, 180, (x, y) => {
    const inMug = x > 70 && x < 160 && y > 40 && y < 150;
    const inHandle = (x - 168) ** 2 + (y - 95) ** 2 < 26 ** 2 && (x - 168) ** 2 + (y - 95) ** 2 > 14 ** 2 && x > 158;
    const crack = inMug && Math.abs(y - (60 + (x - 70) * 0.9 + 6 * Math.sin(x / 4))) < 1.6;
    if (crack) return [60, 40, 30];
    if (inMug || inHandle) return [40, 110, 190];
    return y > 140 ? [190, 150, 105] : [236, 232, 224];
  });
}
