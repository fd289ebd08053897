import net from 'node:net';

/** What came back on a raw connection: the status (0 when none), headers and body text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the first byte sent to the end of the answer (or the close). */
  ms: number;
}

/**
 * Speaks HTTP/1.1 over a plain socket, so a test can declare a length it never sends, trickle
 * a body or stop in the middle of the headers. `write` gets the socket after `head` is sent;
 * the promise settles when the server closes the connection or `timeoutMs` passes.
 */
export function rawRequest(
  port: number,
  head: string,
  write: (socket: net.Socket) => void = () => {},
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const [top = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = top.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers,
        body: rest.join('\r\n\r\n'),
        ms: Date.now() - started,
      });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (d) => {
      chunks.push(d);
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
      if (end !== -1 && length && Buffer.byteLength(text.slice(end + 4)) >= Number(length[1])) finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(head, () => write(socket));
  });
}
