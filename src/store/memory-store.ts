// The in-memory StatsStore: exact totals for the life of the process.
import { Tally } from "../stats/tally.ts";
import type { ChangeEvent, Stats } from "../stats/types.ts";
import { MemoryWindows } from "../windows/memory-windows.ts";
import type { StatsStore, StoreHealth } from "./stats-store.ts";

/** A day: 24 h of the live stream fit well within 1 GiB (test/bench: windows-memory). */
const DEFAULT_WINDOW_RETENTION_MS = 86_400_000;

export class MemoryStore implements StatsStore {
  readonly kind = "in-memory";
  private readonly tally: Tally;
  private lastEventId: string | undefined;
  readonly windows: MemoryWindows;

  constructor(options: { maxServerUrls?: number; windowRetentionMs?: number } = {}) {
    this.tally = new Tally(options.maxServerUrls);
    this.windows = new MemoryWindows({ retentionMs: options.windowRetentionMs ?? DEFAULT_WINDOW_RETENTION_MS });
  }

  async open(): Promise<void> {}

  add(event: ChangeEvent): boolean {
    const listed = this.tally.add(event);
    // A server URL left out of by_server_url is left out of the windows' by_server_url too.
    this.windows.add(listed ? event : { ...event, serverUrl: undefined });
    return listed;
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
