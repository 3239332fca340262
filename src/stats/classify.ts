// The counting rules: which SSE events count, and what of them is counted.
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
