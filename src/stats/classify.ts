// The counting rules: which SSE events count, and what of them is counted (the limits on those fields
// are in field-limits.ts, the reading of an event's time in event-time.ts).
import { countedTimeMs } from "./event-time.ts";
import type { ChangeEvent } from "./types.ts";

/** Why an event with SSE type `message` was not counted. */
export type Rejection = "malformed" | "not_object" | "canary";

/** A counted event, and whether it fell at its arrival time for want of a usable `meta.dt`. */
export interface Counted extends ChangeEvent {
  /** True when timeMs is the arrival time (`nowMs`): tallied as no_event_time. */
  noEventTime: boolean;
}

/**
 * Applies the rules of test/fixtures/wikimedia/PROVENANCE.md to one `message` payload:
 * it counts when `data` parses as a JSON object whose `meta.domain` is not "canary".
 * Everything else in the event is optional by schema, so nothing else is required. `nowMs` is the
 * arrival time, at which an event without a usable `meta.dt` falls.
 */
export function classify(data: string, nowMs = Date.now()): Counted | Rejection {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return "malformed";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not_object";
  const event = value as Record<string, unknown>;
  const meta = event.meta as Record<string, unknown> | null | undefined;
  const hasMeta = typeof meta === "object" && meta !== null;
  if (hasMeta && meta.domain === "canary") return "canary";
  const user = event.user;
  const serverUrl = event.server_url;
  const uri = hasMeta ? meta.uri : undefined;
  const timeMs = hasMeta ? countedTimeMs(meta.dt, nowMs) : undefined;
  return {
    timeMs: timeMs ?? nowMs,
    user: typeof user === "string" ? user : undefined,
    bot: event.bot === true,
    serverUrl: typeof serverUrl === "string" ? serverUrl : undefined,
    page: typeof uri === "string" ? uri : undefined,
    noEventTime: timeMs === undefined,
  };
}

/** A binary string (one char per byte, see SseParser's binaryData) decoded as UTF-8, as the parser would have. */
export function utf8Text(binary: string): string {
  return Buffer.from(binary, "latin1").toString("utf8");
}

/** Any char above U+007F: in a binary string, a byte that is not ASCII. */
const NOT_ASCII = /[^\u0000-\u007f]/;

/**
 * classify() for a payload given as a binary string, with the same verdict as classify(utf8Text(data))
 * but without decoding it, in nearly every case. A binary string parses as JSON exactly when its
 * UTF-8 text does: every ASCII byte is the same char in both, and every other byte, or UTF-8
 * sequence, is a char above U+007F, which JSON allows only inside strings (it is never whitespace
 * or a delimiter). So the two parses have the same structure and the same keys that are ASCII, and
 * differ only in the strings' non-ASCII chars. The verdict is taken from the text whenever one of
 * the strings it keeps has such a char, and for every rejection (rare, and so never in doubt).
 * `meta.dt` is not kept: an event time is ASCII, so a dt with such a char is none in either parse.
 */
export function classifyBinary(data: string, nowMs = Date.now()): Counted | Rejection {
  const verdict = classify(data, nowMs);
  if (typeof verdict === "object" && !hasNotAscii(verdict.user) && !hasNotAscii(verdict.serverUrl) && !hasNotAscii(verdict.page))
    return verdict;
  return NOT_ASCII.test(data) ? classify(utf8Text(data), nowMs) : verdict;
}

function hasNotAscii(value: string | undefined): boolean {
  return value !== undefined && NOT_ASCII.test(value);
}

/** Verdicts for a batch of payloads, in a form that crosses a worker boundary cheaply (see BatchVerdicts kinds). */
export interface BatchVerdicts {
  /** Per payload: COUNTED with the flags COUNTED_BOT and NO_EVENT_TIME, or the index in REJECTIONS plus REJECTED. */
  kinds: Uint8Array;
  /** Per counted payload, its ChangeEvent.timeMs (transferred, like kinds). */
  timesMs: Float64Array;
  users: (string | undefined)[];
  serverUrls: (string | undefined)[];
  pages: (string | undefined)[];
}

export const COUNTED = 0;
/** Flags on COUNTED. */
export const COUNTED_BOT = 1;
export const NO_EVENT_TIME = 2;
export const REJECTED = 4;
export const REJECTIONS: readonly Rejection[] = ["malformed", "not_object", "canary"];

/** classifyBinary() over many payloads (binary strings) at once, all arriving at `nowMs`. */
export function classifyBatch(payloads: readonly string[], nowMs = Date.now()): BatchVerdicts {
  const n = payloads.length;
  const kinds = new Uint8Array(n);
  const timesMs = new Float64Array(n);
  const users = new Array<string | undefined>(n);
  const serverUrls = new Array<string | undefined>(n);
  const pages = new Array<string | undefined>(n);
  for (let i = 0; i < n; i++) {
    const verdict = classifyBinary(payloads[i]!, nowMs);
    if (typeof verdict === "object") {
      kinds[i] = COUNTED | (verdict.bot ? COUNTED_BOT : 0) | (verdict.noEventTime ? NO_EVENT_TIME : 0);
      timesMs[i] = verdict.timeMs;
      users[i] = verdict.user;
      serverUrls[i] = verdict.serverUrl;
      pages[i] = verdict.page;
    } else {
      kinds[i] = REJECTED + REJECTIONS.indexOf(verdict);
    }
  }
  return { kinds, timesMs, users, serverUrls, pages };
}
