import { writeFileSync } from 'node:fs';

/**
 * A test hook for crash tests: when `HUB_TEST_PAUSE_AT` names `point`, the process writes the
 * point's name to `HUB_TEST_PAUSE_MARKER` (when set) and waits there for ever, so that a test
 * can `kill -9` it at exactly that step. Does nothing otherwise.
 */
export async function pauseForTest(point: string): Promise<void> {
  if (process.env.HUB_TEST_PAUSE_AT !== point) return;
  const marker = process.env.HUB_TEST_PAUSE_MARKER;
  if (marker) writeFileSync(marker, point);
  await new Promise<never>(() => {
    setInterval(() => {}, 60_000);
  });
}
