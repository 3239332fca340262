// Counts added and not yet durable: the pending delta, the one a flush is writing, and what landed ahead of the saved position.
import type { ServerUrlLimit } from "../../stats/server-urls.ts";
import type { ChangeEvent, Stats } from "../../stats/types.ts";
import { Delta } from "./delta.ts";
import { addLanded, type Sent } from "./landed-ahead.ts";

export class PendingCounts {
  private pending = new Delta();
  private inflight: Delta | undefined;
  /**
   * Counts whose counter writes landed since the last saved position, by flushes that then failed
   * before saving theirs: a resume from the saved position reads their events again.
   */
  private landedAhead = new Delta();

  /** Counts one event; false when `limit` refuses its server URL (see Delta.add). */
  add(event: ChangeEvent, isKnownUser: (user: string) => boolean, limit: ServerUrlLimit): boolean {
    return this.pending.add(event, isKnownUser, limit);
  }

  /** Events added and not yet handed to a flush. */
  get events(): number {
    return this.pending.messages;
  }

  /** Events not yet durable: the pending ones and those a flush is writing. */
  get unwritten(): number {
    return this.pending.messages + (this.inflight?.messages ?? 0);
  }

  isEmpty(): boolean {
    return this.pending.isEmpty();
  }

  /** Adds every count not yet in Cassandra (being written, and pending) to `stats` in place. */
  addTo(stats: Stats): void {
    this.inflight?.addTo(stats);
    this.pending.addTo(stats);
  }

  /** A flush starts: it writes the pending delta, while new events gather in a fresh one. */
  begin(): Delta {
    const delta = this.pending;
    this.pending = new Delta();
    this.inflight = delta;
    return delta;
  }

  /** The flush saved its position: nothing has landed beyond it. */
  saved(): void {
    this.landedAhead = new Delta();
  }

  /** The flush failed: what it did not write is pending again; of what it sent (`sent`), what landed is ahead of the position. */
  failed(delta: Delta, sent: Sent | undefined): void {
    if (sent !== undefined) addLanded(this.landedAhead, sent, delta);
    this.pending.absorb(delta);
  }

  /** The flush ended, either way. */
  ended(): void {
    this.inflight = undefined;
  }

  /** Drops everything pending and landed ahead (no flush may be running): returns the users settled as new, and what had landed ahead. */
  discard(): { newUserNames: string[]; landedAhead: Delta } {
    const dropped = { newUserNames: [...this.pending.newUserNames], landedAhead: this.landedAhead };
    this.landedAhead = new Delta();
    this.pending = new Delta();
    return dropped;
  }
}
