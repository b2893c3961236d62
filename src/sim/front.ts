/**
 * The sim's TCP front: a raw loopback listener that pipes every connection to the sim's HTTP
 * server. It exists so the sim can fail the way a network does, which an HTTP handler cannot:
 * refuse connections (the listener closes; the port stays reserved for `restore`) and reset one
 * request's connection before any byte of the answer.
 */

interface Link {
  client: Deno.Conn;
  upstream: Deno.Conn;
}

/** A loopback TCP relay in front of the sim's HTTP server. */
export class TcpFront {
  #listener: Deno.Listener | undefined;
  #upstreamPort: number;
  /** Live links by the port of their upstream connection (what the HTTP server sees). */
  #links = new Map<number, Link>();
  #accepting: Promise<void> | undefined;
  /** The port clients connect to. */
  port = 0;

  constructor(upstreamPort: number) {
    this.#upstreamPort = upstreamPort;
  }

  /** Listen on `port` (0: any free port). */
  listen(port = 0): void {
    const listener = Deno.listen({ hostname: "127.0.0.1", port });
    this.#listener = listener;
    this.port = (listener.addr as Deno.NetAddr).port;
    this.#accepting = this.#accept(listener);
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    try {
      for await (const conn of listener) this.#relay(conn);
    } catch {
      // listener closed
    }
  }

  async #relay(client: Deno.Conn): Promise<void> {
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: this.#upstreamPort });
    } catch {
      safeClose(client);
      return;
    }
    const key = (upstream.localAddr as Deno.NetAddr).port;
    const link = { client, upstream };
    this.#links.set(key, link);
    // HTTP/1.1 needs no half-close: when either direction ends or fails, both sockets close, so
    // no connection is left half-open with a request that can never reach the sim.
    await Promise.race([
      client.readable.pipeTo(upstream.writable).catch(() => undefined),
      upstream.readable.pipeTo(client.writable).catch(() => undefined),
    ]);
    this.#drop(key, link);
  }

  #drop(key: number, only?: Link): void {
    const link = this.#links.get(key);
    if (!link || (only && link !== only)) {
      if (only) {
        safeClose(only.client);
        safeClose(only.upstream);
      }
      return;
    }
    this.#links.delete(key);
    safeClose(link.client);
    safeClose(link.upstream);
  }

  /**
   * Break the client connection whose upstream side has `upstreamPort` (the remote port the HTTP
   * server saw for the request). The client sees the connection close with no answer.
   */
  reset(upstreamPort: number): boolean {
    if (!this.#links.has(upstreamPort)) return false;
    this.#drop(upstreamPort);
    return true;
  }

  /** Stop listening and break every live connection: new connections are refused. */
  async refuse(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    if (listener) {
      try {
        listener.close();
      } catch {
        // already closed
      }
      await this.#accepting;
    }
    for (const key of [...this.#links.keys()]) this.#drop(key);
  }

  /** Whether connections are being accepted. */
  get listening(): boolean {
    return this.#listener !== undefined;
  }

  /** Listen again on the same port after {@link refuse}. */
  restore(): void {
    if (!this.#listener) this.listen(this.port);
  }

  /** Stop everything. */
  close(): Promise<void> {
    return this.refuse();
  }
}

function safeClose(c: Deno.Conn): void {
  try {
    c.close();
  } catch {
    // already closed
  }
}
