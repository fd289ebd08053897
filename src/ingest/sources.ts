import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HubError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ImportSource } from './run-import.ts';

/** An import source for a file on disk: hashed in one streaming pass, read again on `open()`. */
export async function fileSource(file: string, fileName = path.basename(file)): Promise<ImportSource> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  const { size } = await stat(file);
  return {
    fileName,
    bytes: size,
    sha256: hash.digest('hex'),
    open: () => createReadStream(file, { highWaterMark: 64 * 1024 }),
  };
}

/**
 * Spools a request body to a staging file while hashing it, so that the registry check can
 * run before any row is read and memory stays flat. The caller must call `remove()`.
 */
export async function spoolSource(
  body: Readable,
  stagingDir: string,
  fileName: string,
  maxBytes: number,
): Promise<ImportSource & { remove(): Promise<void> }> {
  await mkdir(stagingDir, { recursive: true });
  const file = path.join(stagingDir, `${newId('upload')}.part`);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      body,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          bytes += chunk.length;
          if (bytes > maxBytes)
            throw new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', {
              message: `ファイルが上限 ${maxBytes} バイトを超えています`,
            });
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(file),
    );
  } catch (e) {
    await rm(file, { force: true });
    throw e;
  }
  return {
    fileName,
    bytes,
    sha256: hash.digest('hex'),
    open: () => createReadStream(file, { highWaterMark: 64 * 1024 }),
    remove: () => rm(file, { force: true }),
  };
}
