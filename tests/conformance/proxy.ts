/**
 * A loopback proxy for the conformance suite, which cannot send headers of its own: it adds the
 * bearer token and passes everything else through unchanged, `Host` and `Origin` included, so the
 * server's DNS-rebinding guard sees exactly what the suite sent.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A running proxy. */
export interface Proxy {
  /** The port it listens on (127.0.0.1). */
  port: number;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 (a free port) and forward to `127.0.0.1:targetPort` with the token. */
export function startProxy(targetPort: number, token: string): Promise<Proxy> {
  const server = http.createServer((req, res) => {
    const up = http.request({
      host: "127.0.0.1",
      port: targetPort,
      method: req.method,
      path: req.url,
      setHost: false,
      headers: { ...req.headers, authorization: `Bearer ${token}` },
    }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.statusMessage, ur.headers);
      ur.pipe(res);
      res.on("close", () => ur.destroy());
    });
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
    res.on("close", () => up.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
