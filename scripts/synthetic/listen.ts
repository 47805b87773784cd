/** An http.Server on a free port of 127.0.0.1, and how to close it with its open connections. */
import type * as http from "node:http";

export interface Listening {
  port: number;
  close: () => Promise<void>;
}

export function listenOnLoopback(server: http.Server): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
