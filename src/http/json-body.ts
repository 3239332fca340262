// Reads a JSON request body within bounds (size, UTF-8, nesting depth) before anything parses or validates it.
import { HttpError, PayloadTooLargeError } from "./errors.ts";

/** No route takes more than a few hundred bytes; this leaves room without letting a client fill memory. */
export const MAX_BODY_BYTES = 64 * 1024;
/** The deepest body any route takes is 1 level; deeper JSON costs the parser and the validator dearly. */
const MAX_JSON_DEPTH = 16;

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const invalidBody = (message: string) => new HttpError(400, "invalid_body", message);

/** For a route's `parse` hook: the body as JSON, or a 400/413 HttpError; never reads more than MAX_BODY_BYTES. */
export async function readJsonBody(request: Request): Promise<unknown> {
  if (!JSON_TYPE.test(request.headers.get("content-type") ?? "")) {
    throw invalidBody("the request body must be JSON (Content-Type: application/json)");
  }
  const bytes = await readCapped(request);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalidBody("the request body is not valid UTF-8");
  }
  // JSON.parse, and the validator after it, recurse per level: a deeply nested body ties up the thread and overflows the stack.
  if (nestingExceeds(text, MAX_JSON_DEPTH)) throw invalidBody(`the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch {
    throw invalidBody("the request body is not valid JSON");
  }
}

/** True when the request declares a body over MAX_BODY_BYTES, which can be refused before reading it. */
export function declaresTooLarge(request: Request): boolean {
  const declared = request.headers.get("content-length");
  return declared !== null && Number(declared) > MAX_BODY_BYTES;
}

/** The body's bytes, stopping past MAX_BODY_BYTES: a chunked body has no length to check in advance. */
async function readCapped(request: Request): Promise<Uint8Array> {
  if (declaresTooLarge(request)) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(MAX_BODY_BYTES);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** True when brackets outside strings nest deeper than `max`; one linear pass, no allocation. */
function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
