// The fencing contract between a store and the ingest lease, on the store's side: the store never imports lease/.

/** Lets a store check, before a flush, that this process still holds the ingest lease long enough. */
export interface WriteGuard {
  /** Milliseconds the lease is still certainly held (by this process's clock, conservatively); 0 when not held. */
  validForMs(): number;
  /**
   * A flush starts only while the lease is valid for at least this long, and sends nothing once half
   * of it has passed: every write leaves the client at least half this window before the lease can expire.
   */
  readonly flushWindowMs: number;
  /** A flush was refused: the holder stops consuming, drops its unflushed counts and stands by. */
  fenced(): void;
}

/** A flush refused because this process no longer holds the ingest lease (or not for long enough). */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}

/** A flush that ran past its share of the lease stopped sending; what it did not send stays pending. */
export class FlushOverrunError extends Error {
  override readonly name = "FlushOverrunError";
}
