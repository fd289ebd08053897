import { execFile } from 'node:child_process';

/** One answer seen by the load client: status (0 for a reset or refused connection), header, code. */
export interface LoadAnswer {
  status: number;
  retryAfter: string | null;
  code?: string;
}

const script = `
const [url, n, headers] = [process.argv[1], Number(process.argv[2]), JSON.parse(process.argv[3])];
Promise.all(Array.from({ length: n }, () =>
  fetch(url, { headers }).then(
    async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), code: (await r.json().catch(() => ({}))).code }),
    () => ({ status: 0, retryAfter: null }),
  ),
)).then((a) => process.stdout.write(JSON.stringify(a)));
`;

/**
 * Fires `n` requests at once from another process (as real clients would: a client in the
 * test's own process shares its event loop and cannot overlap with the server).
 */
export function loadFromOtherProcess(
  url: string,
  n: number,
  headers: Record<string, string>,
): Promise<LoadAnswer[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', script, url, String(n), JSON.stringify(headers)],
      { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as LoadAnswer[])),
    );
  });
}
