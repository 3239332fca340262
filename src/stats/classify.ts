// The counting rules: which SSE events count, and what of them is counted (the limits on those fields
// are in field-limits.ts).
import type { ChangeEvent } from "./types.ts";

/** Why an event with SSE type `message` was not counted. */
export type Rejection = "malformed" | "not_object" | "canary";

/**
 * Applies the rules of test/fixtures/wikimedia/PROVENANCE.md to one `message` payload:
 * it counts when `data` parses as a JSON object whose `meta.domain` is not "canary".
 * Everything else in the event is optional by schema, so nothing else is required.
 */
export function classify(data: string): ChangeEvent | Rejection {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return "malformed";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not_object";
  const event = value as Record<string, unknown>;
  const meta = event.meta as Record<string, unknown> | null | undefined;
  if (typeof meta === "object" && meta !== null && meta.domain === "canary") return "canary";
  const user = event.user;
  const serverUrl = event.server_url;
  return {
    user: typeof user === "string" ? user : undefined,
    bot: event.bot === true,
    serverUrl: typeof serverUrl === "string" ? serverUrl : undefined,
    dt: typeof meta === "object" && meta !== null && typeof meta.dt === "string" ? meta.dt : undefined,
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
 * the fields it keeps has such a char, and for every rejection (rare, and so never in doubt).
 */
export function classifyBinary(data: string): ChangeEvent | Rejection {
  const verdict = classify(data);
  if (typeof verdict === "object" && !hasNotAscii(verdict.user) && !hasNotAscii(verdict.serverUrl) && !hasNotAscii(verdict.dt))
    return verdict;
  return NOT_ASCII.test(data) ? classify(utf8Text(data)) : verdict;
}

function hasNotAscii(value: string | undefined): boolean {
  return value !== undefined && NOT_ASCII.test(value);
}

/** Verdicts for a batch of payloads, in a form that crosses a worker boundary cheaply (see BatchVerdicts kinds). */
export interface BatchVerdicts {
  /** Per payload: COUNTED, COUNTED_BOT, or the index in REJECTIONS plus REJECTED. */
  kinds: Uint8Array;
  users: (string | undefined)[];
  serverUrls: (string | undefined)[];
  /** `meta.dt` of the batch's last counted event that has one. */
  lastDt?: string | undefined;
}

export const COUNTED = 0;
export const COUNTED_BOT = 1;
export const REJECTED = 2;
export const REJECTIONS: readonly Rejection[] = ["malformed", "not_object", "canary"];

/** classifyBinary() over many payloads (binary strings) at once. */
export function classifyBatch(payloads: readonly string[]): BatchVerdicts {
  const n = payloads.length;
  const kinds = new Uint8Array(n);
  const users = new Array<string | undefined>(n);
  const serverUrls = new Array<string | undefined>(n);
  let lastDt: string | undefined;
  for (let i = 0; i < n; i++) {
    const verdict = classifyBinary(payloads[i]!);
    if (typeof verdict === "object") {
      kinds[i] = verdict.bot ? COUNTED_BOT : COUNTED;
      users[i] = verdict.user;
      serverUrls[i] = verdict.serverUrl;
      if (verdict.dt !== undefined) lastDt = verdict.dt;
    } else {
      kinds[i] = REJECTED + REJECTIONS.indexOf(verdict);
    }
  }
  return { kinds, users, serverUrls, lastDt };
}
