import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Sharp, default as SharpModule } from 'sharp';
import { MAX_INPUT_PIXELS, MMS_MAX_SIDE, MMS_TARGET_BYTES, THUMBNAIL_SIDE } from '../../domain/media-type.js';

/*
 * The one image pipeline (docs/rules.md#pictures-that-work-on-phones), on libvips through sharp.
 * sharp drops every piece of metadata (EXIF with its GPS position, XMP, comments) unless told to
 * keep it; orientation is applied to the pixels first, so nothing is lost by dropping the tag.
 * Decoding is bounded by MAX_INPUT_PIXELS, checked from the header before any pixel is decoded.
 */

// libvips adds about 30 MB to the process once loaded: a process that never handles a picture
// (a web process on PostgreSQL, a desk without MMS) need not carry it.
let sharp: typeof SharpModule;
let loading: Promise<void> | undefined;
const libvips = () =>
  (loading ??= import('sharp').then(({ default: loaded }) => {
    // One image at a time per process and no cache: memory stays bounded by one decode.
    loaded.concurrency(1);
    loaded.cache(false);
    sharp = loaded;
  }));

export class UnreadableImage extends Error {}

export interface PreparedImage {
  bytes: Buffer;
  contentType: 'image/jpeg' | 'image/png' | 'image/gif';
}

/** A picture as it will be sent: JPEG, PNG or GIF, at most MMS_MAX_SIDE a side and, when it can be, under MMS_TARGET_BYTES. */
export async function prepareForMms(bytes: Buffer, contentType: string): Promise<PreparedImage> {
  await libvips();
  if (contentType === 'image/heic') {
    const pixels = await heicPixels(bytes);
    return toJpeg(() => sharp(pixels.data, { raw: pixels.info }));
  }
  if (contentType === 'image/gif') return fit(bytes, 'image/gif', { animated: true });
  if (contentType === 'image/png') return fit(bytes, 'image/png');
  if (contentType === 'image/jpeg') return fit(bytes, 'image/jpeg');
  return toJpeg(() => open(bytes));
}

/** A thumbnail for a thread: WebP (small, with transparency), at most THUMBNAIL_SIDE a side. */
export async function thumbnail(bytes: Buffer): Promise<{ bytes: Buffer; contentType: 'image/webp' }> {
  await libvips();
  const out = await guard(() => open(bytes).rotate().resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 }).toBuffer());
  return { bytes: out, contentType: 'image/webp' };
}

const open = (bytes: Buffer, options: { animated?: boolean } = {}): Sharp => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', ...options });

/** Smaller sides until the encoding fits; each step keeps three quarters of the side. */
const SIDES = [MMS_MAX_SIDE, 1536, 1152, 864, 648];

async function fit(bytes: Buffer, contentType: PreparedImage['contentType'], options: { animated?: boolean } = {}): Promise<PreparedImage> {
  for (const side of SIDES) {
    const out = await guard(() => encode(open(bytes, options).rotate().resize(side, side, { fit: 'inside', withoutEnlargement: true }), contentType).toBuffer());
    if (out.length <= MMS_TARGET_BYTES) return { bytes: out, contentType };
    // A photo saved as PNG compresses far better as JPEG; a GIF would lose its animation, so it only shrinks.
    if (contentType === 'image/png') return toJpeg(() => open(bytes));
  }
  throw new UnreadableImage(`stays over ${MMS_TARGET_BYTES / 1024 / 1024} MB even at ${SIDES.at(-1)} pixels; send a shorter animation or a still picture`);
}

/**
 * JPEG at falling quality, then falling size, until it fits; transparency on white. Each try
 * decodes afresh: libvips shrinks while it loads, so no full-size copy of the pixels is kept.
 */
async function toJpeg(image: () => Sharp): Promise<PreparedImage> {
  for (const side of SIDES) {
    for (const quality of [82, 70]) {
      const out = await guard(() =>
        image().rotate().resize(side, side, { fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' }).toColourspace('srgb').jpeg({ quality, mozjpeg: true }).toBuffer(),
      );
      if (out.length <= MMS_TARGET_BYTES) return { bytes: out, contentType: 'image/jpeg' };
    }
  }
  throw new UnreadableImage(`stays over ${MMS_TARGET_BYTES / 1024 / 1024} MB as a JPEG`);
}

function encode(image: Sharp, contentType: PreparedImage['contentType']): Sharp {
  if (contentType === 'image/png') return image.png({ compressionLevel: 9, palette: false });
  if (contentType === 'image/gif') return image.gif();
  return image.jpeg({ quality: 82, mozjpeg: true });
}

/**
 * iPhone photos are HEVC inside HEIF; sharp's prebuilt libvips reads only AV1 (AVIF), so libheif
 * compiled to WebAssembly (heic-decode) decodes them. A 12-megapixel photo takes it seconds of CPU,
 * which on the main thread would hold every webhook and page, so one worker thread does it, started
 * with the first HEIC (compiling the WebAssembly takes seconds too) and kept for the next. The size
 * comes from the header and is checked before a pixel is decoded.
 */
const HEIC_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const decode = require(workerData.module);
parentPort.on('message', async ({ id, bytes }) => {
  try {
    const images = await decode.all({ buffer: bytes });
    try {
      const first = images[0];
      if (!first) return parentPort.postMessage({ id, refusal: 'holds no picture' });
      if (first.width * first.height > workerData.maxPixels) {
        return parentPort.postMessage({ id, refusal: 'claims ' + first.width + ' × ' + first.height + ' pixels, more than a photo has' });
      }
      const { width, height, data } = await first.decode();
      parentPort.postMessage({ id, width, height, data }, [data.buffer]);
    } finally {
      images.dispose();
    }
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

type HeicAnswer = { id: number } & ({ width: number; height: number; data: Uint8ClampedArray } | { refusal: string } | { error: string });

let heicWorker: { worker: Worker; waiting: Map<number, (answer: HeicAnswer) => void> } | undefined;
let heicRequests = 0;

function startHeicWorker() {
  const worker = new Worker(HEIC_WORKER, {
    eval: true,
    execArgv: [],
    workerData: { module: createRequire(import.meta.url).resolve('heic-decode'), maxPixels: MAX_INPUT_PIXELS },
  });
  const waiting = new Map<number, (answer: HeicAnswer) => void>();
  worker.on('message', (answer: HeicAnswer) => {
    waiting.get(answer.id)?.(answer);
    waiting.delete(answer.id);
    // Idle, it must not keep a process alive; busy, it must (a script awaiting a conversion).
    if (waiting.size === 0) worker.unref();
  });
  // A worker that dies fails what it held; the next HEIC starts another.
  const fail = (reason: string) => {
    if (heicWorker?.worker === worker) heicWorker = undefined;
    for (const [id, answer] of waiting) answer({ id, error: reason });
    waiting.clear();
  };
  worker.on('error', (err) => fail(err.message));
  worker.on('exit', () => fail('the decoder stopped'));
  worker.unref();
  return { worker, waiting };
}

async function heicPixels(bytes: Buffer): Promise<{ data: Buffer; info: { width: number; height: number; channels: 4 } }> {
  const { worker, waiting } = (heicWorker ??= startHeicWorker());
  const id = ++heicRequests;
  const answer = await new Promise<HeicAnswer>((resolve) => {
    waiting.set(id, resolve);
    worker.ref();
    worker.postMessage({ id, bytes });
  });
  if ('refusal' in answer) throw new UnreadableImage(answer.refusal);
  if ('error' in answer) return guard(() => Promise.reject(new Error(answer.error)));
  const { width, height, data } = answer;
  return { data: Buffer.from(data.buffer, data.byteOffset, data.byteLength), info: { width, height, channels: 4 } };
}

/** libvips' and libheif's refusals (corrupt data, the pixel limit) become a refusal of the file. */
async function guard<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof UnreadableImage) throw err;
    const reason = (err as Error).message;
    throw new UnreadableImage(/pixel limit/i.test(reason) ? `is larger than ${MAX_INPUT_PIXELS / 1_000_000} million pixels` : `could not be read as an image (${reason})`);
  }
}
