/**
 * Small helpers of the simulated Coder: a deterministic PRNG, UUIDs, Coder-style timestamps and
 * an abortable sleep.
 */

/** A deterministic pseudo-random generator (mulberry32). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = (seed >>> 0) || 0x9e3779b9;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A random (version 4 shaped) UUID. */
  uuid(): string {
    let h = "";
    for (let i = 0; i < 32; i++) h += Math.floor(this.next() * 16).toString(16);
    const variant = (8 + Math.floor(this.next() * 4)).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${
      h.slice(20, 32)
    }`;
  }
  /** `n` lowercase hex digits. */
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += Math.floor(this.next() * 16).toString(16);
    return s;
  }
  /** A child generator, independent of later draws on this one. */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }
}

/** The nil UUID. */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `s` is a canonical UUID. */
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/** ISO 8601 UTC with milliseconds (what current Coder records look like after JSON encoding). */
export function isoZ(ms: number): string {
  return new Date(ms).toISOString();
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** Sub-millisecond digits derived from the time, so timestamps look like Postgres microseconds. */
function micros(ms: number): number {
  return (((ms % 1000) + 1000) % 1000) * 1000 + ((ms * 7919) % 997 + 997) % 997;
}

/**
 * A timestamp in the server-local `+01:00` offset with microseconds and trailing zeros trimmed,
 * as recorded from a real v2.27 server (e.g. `2025-11-10T11:38:10.64715+01:00`).
 */
export function coderLocal(ms: number): string {
  const d = new Date(Math.floor(ms) + 3600_000);
  const frac = pad(micros(Math.floor(ms)), 6).replace(/0+$/, "");
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${
    pad(d.getUTCHours())
  }:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac ? "." + frac : ""}+01:00`;
}

/** UTC with nanoseconds, as v2.27 log entries carry (e.g. `2025-11-10T10:40:10.44468609Z`). */
export function nanoZ(ms: number): string {
  const iso = new Date(Math.floor(ms)).toISOString().slice(0, 19);
  const frac = (pad(micros(Math.floor(ms)), 6) + "609").replace(/0+$/, "");
  return `${iso}${frac ? "." + frac : ""}Z`;
}

/** Sleep `ms`, resolving early (never rejecting) when any of `signals` aborts. */
export function sleep(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  if (ms <= 0 || live.some((s) => s.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      for (const s of live) s.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    for (const s of live) s.addEventListener("abort", done, { once: true });
  });
}

/** Resolve once any of `signals` aborts (never, when there are none). */
export function released(...signals: AbortSignal[]): Promise<void> {
  if (signals.some((s) => s.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      for (const s of signals) s.removeEventListener("abort", done);
      resolve();
    };
    for (const s of signals) s.addEventListener("abort", done, { once: true });
  });
}

/** Collapse whitespace and cap at `max` characters. */
export function squash(s: string, max: number): string {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}
