// The in-memory StatsStore: exact totals for the life of the process.
import { Tally } from "../stats/tally.ts";
import type { ChangeEvent, Stats } from "../stats/types.ts";
import type { StatsStore, StoreHealth } from "./stats-store.ts";

export class MemoryStore implements StatsStore {
  readonly kind = "in-memory";
  private readonly tally: Tally;
  private lastEventId: string | undefined;

  constructor(options: { maxServerUrls?: number } = {}) {
    this.tally = new Tally(options.maxServerUrls);
  }

  async open(): Promise<void> {}

  add(event: ChangeEvent): boolean {
    return this.tally.add(event);
  }

  setPosition(lastEventId: string): void {
    this.lastEventId = lastEventId;
  }

  async position(): Promise<string | undefined> {
    return this.lastEventId;
  }

  async stats(): Promise<Stats> {
    return this.tally.toStats();
  }

  /** Every add() changes the totals, and only add() does. */
  revision(): number {
    return this.tally.messages;
  }

  async flush(): Promise<void> {}

  health(): StoreHealth {
    return { ready: true, pendingEvents: 0, lastError: undefined };
  }

  async close(): Promise<void> {}
}
