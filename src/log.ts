/**
 * Log lines on stderr that never hold the server up. `console.error` writes synchronously: when
 * the client never reads the server's stderr, the pipe fills and the next log line blocks the
 * whole process (issue 17: 3,000 malformed lines froze it). Here lines are written in the
 * background, one write at a time; while stderr is not being read, up to {@link LOG_QUEUE} lines
 * wait and the rest are dropped, then counted in one line once stderr moves again.
 */

/** Lines waiting for stderr at most; more are dropped and counted. */
export const LOG_QUEUE = 100;

/** Where lines go (`Deno.stderr`, or any writer). */
export interface LogWriter {
  write(p: Uint8Array): Promise<number>;
}

/** A non-blocking line log. */
export class StderrLog {
  readonly #out: LogWriter;
  readonly #max: number;
  #queue: string[] = [];
  #dropped = 0;
  #writing?: Promise<void>;
  #broken = false;

  constructor(out: LogWriter = Deno.stderr, max = LOG_QUEUE) {
    this.#out = out;
    this.#max = max;
  }

  /** Log one line (a newline is added); returns at once. */
  line(text: string): void {
    if (this.#broken) return;
    if (this.#queue.length >= this.#max) {
      this.#dropped++;
      return;
    }
    this.#queue.push(text);
    this.#writing ??= this.#drain();
  }

  /** Resolves when every line so far is written, or after `ms` (before the process exits). */
  async flush(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#writing ?? Promise.resolve(),
      new Promise((r) => (timer = setTimeout(r, ms))),
    ]);
    clearTimeout(timer);
  }

  async #drain(): Promise<void> {
    const enc = new TextEncoder();
    try {
      while (this.#queue.length > 0) {
        const lines = this.#queue;
        this.#queue = [];
        if (this.#dropped > 0) {
          lines.push(`(${this.#dropped} log lines dropped: stderr was not being read)`);
          this.#dropped = 0;
        }
        let bytes = enc.encode(lines.join("\n") + "\n");
        while (bytes.length > 0) bytes = bytes.subarray(await this.#out.write(bytes));
      }
    } catch {
      this.#broken = true; // stderr is gone: logging stops, serving does not
    } finally {
      this.#writing = undefined;
    }
  }
}
