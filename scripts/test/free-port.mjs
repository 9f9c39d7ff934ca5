// A TCP port on 127.0.0.1 that nothing listens on now, for a self-test's own server.
import { createServer } from "node:net";

export function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}
