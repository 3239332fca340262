// Byte-level Server-Sent-Events parser following WHATWG HTML "event stream interpretation", with bounded memory per event.

export interface SseEvent {
  type: string;
  /** UTF-8 text, or with the parser's binaryData option a binary string: one char (U+0000–U+00FF) per byte. */
  data: string;
  lastEventId: string;
}

interface SseHandlers {
  onEvent(event: SseEvent): void;
  /** A valid `retry:` field (ASCII digits only). */
  onRetry?(ms: number): void;
  /** An event was discarded because it exceeded maxEventBytes; `bytes` is how much of it was seen. */
  onOversized?(bytes: number): void;
  /** An `id` longer than MAX_ID_BYTES was ignored; the event it belongs to is still dispatched. */
  onOversizedId?(): void;
}

export interface SseParserOptions {
  /** Limit on data lines plus the line in progress of one event. Default 1 MiB. */
  maxEventBytes?: number;
  /** Initial last event ID, for resuming a stream. */
  lastEventId?: string;
  /** False when the bytes start in the middle of a stream (a replay resumed at an offset), where a BOM is content. */
  atStart?: boolean;
  /**
   * Deliver `data` undecoded, as a binary string (one char per byte): a plain copy of the bytes. UTF-8
   * decoding costs more, and makes a string of twice the size (slower to parse, to copy to a worker)
   * of every event that is not pure ASCII. The consumer decodes what it needs (see classifyBinary).
   */
  binaryData?: boolean;
}

/**
 * Longest `id` value kept, in bytes. Wikimedia's ids are about 100 bytes; a longer one would be sent
 * back as a Last-Event-ID header that servers refuse (431), so it is ignored and the previous id stays.
 */
export const MAX_ID_BYTES = 1024;
/** Longest `id` line that can hold an acceptable value: "id: " and MAX_ID_BYTES. */
const MAX_ID_LINE = MAX_ID_BYTES + 4;

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const BOM = [0xef, 0xbb, 0xbf] as const;
const encoder = new TextEncoder();
const DATA = encoder.encode("data:");
const EVENT = encoder.encode("event:");
const ID = encoder.encode("id:");
const DIGITS = /^[0-9]+$/;
// ignoreBOM: only the stream's first BOM is dropped (on bytes); a U+FEFF starting a later line is content.
// Decoding line slices separately is exact: line ends and the field prefix are ASCII, which UTF-8 never
// folds into a multi-byte sequence, so an incomplete sequence yields U+FFFD either way.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

function startsWith(b: Uint8Array, s: number, e: number, prefix: Uint8Array): boolean {
  if (e - s < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[s + i] !== prefix[i]) return false;
  return true;
}

const MESSAGE = encoder.encode("message");

/** Decodes bytes s..e of `b` as UTF-8 (invalid sequences become U+FFFD, as with TextDecoder). */
function utf8(b: Uint8Array, s: number, e: number): string {
  // Buffer's slice decoder skips the subarray object and TextDecoder's call overhead: on the hot path
  // this runs three times per event.
  return b instanceof Buffer ? b.toString("utf8", s, e) : decoder.decode(b.subarray(s, e));
}

/** Bytes s..e of `b` as a binary string (one char per byte). */
function latin1(b: Uint8Array, s: number, e: number): string {
  return (b instanceof Buffer ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString("latin1", s, e);
}

/** The field value after the colon at s - 1, without its single optional leading space. */
function fieldValue(b: Uint8Array, s: number, e: number): string {
  if (s < e && b[s] === SPACE) s++;
  if (s === e) return "";
  // Nearly every event says `event: message`; skip decoding the same seven bytes each time.
  if (e - s === MESSAGE.length && startsWith(b, s, e, MESSAGE)) return "message";
  return utf8(b, s, e);
}

/** A `data` value after the colon at s - 1, as fieldValue does, but undecoded (binaryData). */
function binaryValueOf(b: Uint8Array, s: number, e: number): string {
  if (s < e && b[s] === SPACE) s++;
  return latin1(b, s, e);
}

export class SseParser {
  private readonly handlers: SseHandlers;
  private readonly maxEventBytes: number;
  private readonly dataValueOf: (b: Uint8Array, s: number, e: number) => string;
  private lastId: string;
  private idBuffer: string;
  private type = "";
  // Data lines joined with "\n" as they come, which equals the spec's buffer minus its trailing "\n";
  // hasData stands in for "buffer is non-empty" (a `data` line with an empty value still counts).
  private data = "";
  private hasData = false;
  /** Bytes of the current event's data lines; once oversized, of everything skipped as well. */
  private eventBytes = 0;
  /** The current event exceeded the limit: lines are dropped until the blank line that ends it. */
  private oversized = false;
  /** The line in progress is dropped up to its end: a comment, or too long to keep. */
  private skipLine = false;
  /** Incomplete last line carried between pushes, as copies: callers may reuse their chunk buffers. */
  private tail: Uint8Array[] = [];
  private tailBytes = 0;
  /** The previous chunk ended in CR, so an LF opening the next one belongs to the same line end. */
  private afterCR = false;
  /** Whether we are at the start of a stream, where a BOM may appear, and how many BOM bytes were held. */
  private atStart = true;
  private bomSeen = 0;
  /** Bytes pushed since the stream started, and the stream offset just past the line being handled. */
  private streamBytes = 0;
  private lineEnd = 0;

  constructor(handlers: SseHandlers, options: SseParserOptions = {}) {
    const max = options.maxEventBytes ?? 1 << 20;
    if (!(max > 0)) throw new RangeError(`maxEventBytes must be positive, got ${max}`);
    this.handlers = handlers;
    this.maxEventBytes = max;
    this.lastId = this.idBuffer = options.lastEventId ?? "";
    this.atStart = options.atStart ?? true;
    this.dataValueOf = options.binaryData === true ? binaryValueOf : fieldValue;
  }

  /** The last event ID string: the ID buffer as committed by the latest blank line. */
  get lastEventId(): string {
    return this.lastId;
  }

  /**
   * Stream bytes (counted from the start of the stream, a BOM included) up to the end of the line last
   * handled. Read inside onEvent, it is where the next event starts: a replay resumes there.
   */
  get offset(): number {
    return this.lineEnd;
  }

  push(chunk: Uint8Array): void {
    const view = this.atStart ? this.skipBom(chunk) : chunk;
    // A Buffer over the same memory (no copy), for its faster UTF-8 slicing.
    const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    const len = bytes.length;
    this.streamBytes += chunk.length;
    // Where bytes[0] is in the stream: after a skipped BOM, or before the held bytes skipBom put back.
    const start = this.streamBytes - len;
    if (len === 0) return;
    let pos = 0;
    if (this.afterCR) {
      this.afterCR = false;
      if (bytes[0] === LF) pos = 1;
    }
    // Positions of the next LF and CR, searched again only once passed: re-searching for an absent CR
    // on every line would rescan the rest of the chunk each time.
    let lf = -1;
    let cr = -1;
    while (pos < len) {
      if (lf < pos) lf = bytes.indexOf(LF, pos);
      if (lf < 0) lf = len;
      if (cr < pos) cr = bytes.indexOf(CR, pos);
      if (cr < 0) cr = len;
      const eol = Math.min(lf, cr);
      if (eol === len) return this.keepTail(bytes, pos, len);
      this.lineEnd = start + eol + 1;
      if (this.skipLine) {
        this.skipLine = false;
        if (this.oversized) this.eventBytes += eol - pos;
      } else if (this.tailBytes > 0) this.joinTail(bytes, pos, eol);
      else this.line(bytes, pos, eol);
      pos = eol + 1;
      if (eol === cr) {
        if (pos === len) this.afterCR = true;
        else if (lf === pos) pos++;
      }
    }
  }

  /** Ends the stream: a partial event is dropped (returns true if there was one); lastEventId is kept. */
  end(): boolean {
    const discarded = this.hasData || this.oversized || this.tailBytes > 0 || this.bomSeen > 0;
    this.resetEvent();
    this.tail = [];
    this.tailBytes = 0;
    this.skipLine = false;
    this.afterCR = false;
    this.atStart = true;
    this.bomSeen = 0;
    this.streamBytes = this.lineEnd = 0;
    // An `id:` from the unfinished event was never committed; the next connection resumes from the last
    // committed one, as the Last-Event-ID header it is sent with says.
    this.idBuffer = this.lastId;
    return discarded;
  }

  /** Drops a leading BOM, which may arrive split over pushes; holds back (returns nothing) bytes that may still be one. */
  private skipBom(chunk: Uint8Array): Uint8Array {
    const held = this.bomSeen;
    let i = 0;
    while (this.bomSeen < 3 && i < chunk.length && chunk[i] === BOM[this.bomSeen]) {
      this.bomSeen++;
      i++;
    }
    if (this.bomSeen < 3 && i === chunk.length) return chunk.subarray(i);
    this.atStart = false;
    const complete = this.bomSeen === 3;
    this.bomSeen = 0;
    if (complete) return chunk.subarray(i);
    if (held === 0) return chunk;
    const bytes = new Uint8Array(held + chunk.length);
    bytes.set(BOM.slice(0, held));
    bytes.set(chunk, held);
    return bytes;
  }

  private keepTail(b: Uint8Array, pos: number, len: number): void {
    const n = len - pos;
    if (!this.skipLine && this.tailBytes === 0 && (b[pos] === COLON || this.oversized)) this.skipLine = true;
    if (this.skipLine) {
      if (this.oversized) this.eventBytes += n;
    } else if (this.tailBytes <= MAX_ID_LINE && this.tailBytes + n > MAX_ID_LINE && this.isIdLine(b, pos, len)) {
      // Dropped as it arrives, so a huge id costs no more memory than an acceptable one.
      this.tail = [];
      this.tailBytes = 0;
      this.skipLine = true;
      this.handlers.onOversizedId?.();
    } else if (this.eventBytes + this.tailBytes + n > this.maxEventBytes) {
      this.overflow(this.tailBytes + n);
      this.tail = [];
      this.tailBytes = 0;
      this.skipLine = true;
    } else {
      // A copy (Buffer#slice would share memory): callers may reuse their chunk buffers.
      this.tail.push(new Uint8Array(b.subarray(pos, len)));
      this.tailBytes += n;
    }
  }

  private joinTail(b: Uint8Array, pos: number, eol: number): void {
    const n = this.tailBytes + eol - pos;
    const tooLongId = n > MAX_ID_LINE && this.isIdLine(b, pos, eol);
    const parts = this.tail;
    this.tail = [];
    this.tailBytes = 0;
    // Checked before joining so that a huge line completed by this chunk is never copied.
    if (tooLongId) return this.handlers.onOversizedId?.();
    if (this.eventBytes + n > this.maxEventBytes) return this.overflow(n);
    // A Buffer, as push() hands line(): a plain Uint8Array here makes the JIT recompile line() and all
    // it inlines for a second argument type.
    const line = Buffer.allocUnsafe(n);
    let offset = 0;
    for (const part of parts) {
      line.set(part, offset);
      offset += part.length;
    }
    line.set(b.subarray(pos, eol), offset);
    this.line(line, 0, n);
  }

  private line(b: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (n === 0) return this.dispatch();
    if (this.oversized) {
      this.eventBytes += n;
      return;
    }
    if (b[s] === COLON) return;
    // Before the size check: an id line never makes its event oversized, it is only ignored when too long.
    if (startsWith(b, s, e, ID)) return this.id(b, s + 3, e);
    if (this.eventBytes + n > this.maxEventBytes) return this.overflow(n);
    // The wire format is almost only these fields; matching their bytes skips decoding the name.
    if (startsWith(b, s, e, DATA)) return this.field("data", this.dataValueOf(b, s + 5, e), n);
    if (startsWith(b, s, e, EVENT)) return this.field("event", fieldValue(b, s + 6, e), n);
    const text = utf8(b, s, e);
    const colon = text.indexOf(":");
    if (colon < 0) return this.field(text, "", n);
    const start = text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
    this.field(text.slice(0, colon), text.slice(start), n);
  }

  /** An `id` field whose value starts at s (before its optional space). */
  private id(b: Uint8Array, s: number, e: number): void {
    const valueBytes = e - s - (s < e && b[s] === SPACE ? 1 : 0);
    if (valueBytes > MAX_ID_BYTES) return this.handlers.onOversizedId?.();
    this.field("id", fieldValue(b, s, e), 0);
  }

  /** Whether the line carried in the tail and continued by b[pos..end) starts with "id:". */
  private isIdLine(b: Uint8Array, pos: number, end: number): boolean {
    let i = 0;
    for (const part of this.tail) {
      for (let j = 0; j < part.length; j++) {
        if (part[j] !== ID[i]) return false;
        if (++i === ID.length) return true;
      }
    }
    for (let j = pos; j < end; j++) {
      if (b[j] !== ID[i]) return false;
      if (++i === ID.length) return true;
    }
    return false;
  }

  private field(name: string, value: string, lineBytes: number): void {
    switch (name) {
      case "data":
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        this.eventBytes += lineBytes;
        break;
      case "event":
        this.type = value;
        break;
      case "id":
        if (!value.includes("\0")) this.idBuffer = value;
        break;
      case "retry":
        if (DIGITS.test(value)) this.handlers.onRetry?.(Number.parseInt(value, 10));
        break;
    }
  }

  private overflow(lineBytes: number): void {
    this.oversized = true;
    this.eventBytes += lineBytes;
    this.data = "";
    this.hasData = false;
  }

  private dispatch(): void {
    // Committed even for an empty or oversized event, as the spec does at every blank line.
    this.lastId = this.idBuffer;
    const oversizedBytes = this.oversized ? this.eventBytes : 0;
    const event = this.hasData && !this.oversized ? { type: this.type || "message", data: this.data, lastEventId: this.lastId } : null;
    // Reset before calling out, so a throwing handler cannot leave this event half-cleared.
    this.resetEvent();
    if (oversizedBytes > 0) this.handlers.onOversized?.(oversizedBytes);
    else if (event !== null) this.handlers.onEvent(event);
  }

  private resetEvent(): void {
    this.type = "";
    this.data = "";
    this.hasData = false;
    this.eventBytes = 0;
    this.oversized = false;
  }
}
