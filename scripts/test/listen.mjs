// A stand-in server on 127.0.0.1 for a self-test: the STS, IdP or load target a script talks to,
// answering with the test's own handler on a port the system picks.
import { createServer } from "node:http";

/**
 * Listens with `handler` (node:http's request listener) on a free port of 127.0.0.1.
 * @returns {Promise<{ url: string, port: number, close: () => void }>}  `url` has no trailing
 *   slash; `close` also drops open connections, so the test's end does not wait for keep-alive
 */
export async function listen(handler) {
  const server = createServer(handler);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
