/**
 * A pause for long loops: resolves at once unless `everyMs` have passed since the last pause,
 * then waits one turn of the event loop, so that an import of any size never keeps `/healthz`
 * and other requests waiting longer than about one batch.
 */
export function loopYielder(everyMs = 25): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}
