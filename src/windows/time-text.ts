// Times and lengths as the API reads and writes them, and the user's input as an error message may
// quote it.
import { HOUR_MS, MINUTE_MS, DAY_MS } from "./types.ts";

const SHOWN_CHARS = 40;

/** An event time as the API writes it: `2026-05-28T14:00:00Z`, milliseconds only when there are some. */
export function rfc3339(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

const UNIX_SECONDS = /^\d{1,12}$/;
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch ms of an RFC 3339 time or of unix seconds, or undefined when it is neither. A time with more
 * than millisecond precision gives NaN: it is never aligned, and every range here is.
 */
export function parseTime(value: string): number | undefined {
  if (UNIX_SECONDS.test(value)) return Number(value) * 1000;
  const m = RFC_3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(local).getUTCDate() !== day) return undefined;
  let offsetMs = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMs = (m[9] === "-" ? -1 : 1) * (oh * HOUR_MS + om * MINUTE_MS);
  }
  const fraction = (m[7] ?? "").padEnd(9, "0");
  const millis = Number(fraction.slice(0, 3));
  const ms = local - offsetMs + millis;
  if (ms < 0) return undefined;
  return Number(fraction.slice(3)) === 0 ? ms : Number.NaN;
}

/** A length in the largest unit that states it exactly: 7d, 36h, 90m, 1500ms. */
export function duration(ms: number): string {
  if (ms > 0 && ms % DAY_MS === 0) return `${ms / DAY_MS}d`;
  if (ms > 0 && ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  if (ms > 0 && ms % MINUTE_MS === 0) return `${ms / MINUTE_MS}m`;
  return `${ms}ms`;
}

const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/** The user's value as a message may quote it: short, quoted, control, format and lone surrogate characters as "?". */
export function shown(value: string): string {
  const chars = Array.from(value.slice(0, SHOWN_CHARS * 2));
  const cut = chars.length > SHOWN_CHARS || value.length > SHOWN_CHARS * 2;
  return `"${chars.slice(0, SHOWN_CHARS).join("").replace(UNPRINTABLE, "?")}${cut ? "…" : ""}"`;
}
