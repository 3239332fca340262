// Sends bytes to a server as they are, for requests fetch() refuses to make (false lengths, huge headers).

/** Writes `request` to host:port and returns everything the server sends until it closes or `waitMs` passes. */
export async function rawRequest(port: number, request: string | Uint8Array, waitMs = 2000): Promise<string> {
  const { promise, resolve } = Promise.withResolvers<string>();
  let received = "";
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      open: (s) => void s.write(request),
      data: (_s, data) => void (received += data.toString("latin1")),
      close: () => resolve(received),
      error: () => resolve(received),
    },
  });
  const timer = setTimeout(() => socket.end(), waitMs);
  try {
    return await promise;
  } finally {
    clearTimeout(timer);
  }
}

/** The status code and body of a raw HTTP/1.1 response (bodies here are small and not chunked). */
export function parseRaw(response: string): { status: number; headers: string; body: string } {
  const end = response.indexOf("\r\n\r\n");
  const head = end < 0 ? response : response.slice(0, end);
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: end < 0 ? "" : response.slice(end + 4) };
}
