import { HubError } from '../errors.ts';

/** The largest signature image a submission keeps (a tablet signature is a few KB). */
export const MAX_SIGNATURE_BYTES = 256 * 1024;
const MAX_SIDE = 4000;
const MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Checks that bytes are one whole PNG (signature, IHDR first, IEND last) of a sensible size,
 * and returns its width and height; anything else is refused with a message for staff.
 */
export function checkSignaturePng(bytes: Buffer): { width: number; height: number } {
  const refuse = (message: string) => new HubError('HUB_ERR_SIGNATURE_IMAGE', { message });
  if (bytes.length > MAX_SIGNATURE_BYTES)
    throw new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', {
      message: `署名画像は ${MAX_SIGNATURE_BYTES / 1024} KiB までです`,
    });
  if (bytes.length < 8 + 25 + 12 || !bytes.subarray(0, 8).equals(MAGIC)) throw refuse('PNG ではありません');
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') throw refuse('PNG の IHDR がありません');
  if (bytes.toString('latin1', bytes.length - 8, bytes.length - 4) !== 'IEND')
    throw refuse('PNG が途中で切れています（IEND がありません）');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE)
    throw refuse(`大きさ ${width}×${height} は扱えません（1〜${MAX_SIDE} ピクセル）`);
  return { width, height };
}
