// The stream position: the latest one reached, and the one saved in stream_offsets that a restart resumes from.
import type cassandra from "cassandra-driver";
import type { Session } from "./connection.ts";
import { IDEMPOTENT } from "./query-options.ts";

export class StreamPosition {
  private latest: string | undefined;
  private saved: string | undefined;

  constructor(
    private readonly keyspace: string,
    private readonly streamKey: string,
  ) {}

  set(lastEventId: string): void {
    this.latest = lastEventId;
  }

  /** The latest position, which a flush starting now saves once its counts are written. */
  get reached(): string | undefined {
    return this.latest;
  }

  get lastSaved(): string | undefined {
    return this.saved;
  }

  /** A position was reached beyond the saved one: a flush has it to save. */
  get unsaved(): boolean {
    return this.latest !== this.saved;
  }

  /** Reads the saved position (which the latest one starts from, if none was reached yet). */
  async read(client: cassandra.Client): Promise<string | undefined> {
    const row = (
      await client.execute(`SELECT last_event_id FROM ${this.keyspace}.stream_offsets WHERE stream = ?`, [this.streamKey], IDEMPOTENT)
    ).first();
    const saved = (row?.last_event_id as string | null | undefined) ?? undefined;
    this.saved = saved;
    this.latest ??= saved;
    return saved;
  }

  /** Saves `position` (reached when the flush began) unless it is saved already. */
  async save(session: Session, position: string | undefined): Promise<void> {
    if (position === undefined || position === this.saved) return;
    await session.execute(
      `INSERT INTO ${this.keyspace}.stream_offsets (stream, last_event_id, updated_at) VALUES (?, ?, toTimestamp(now()))`,
      [this.streamKey, position],
      IDEMPOTENT,
    );
    this.saved = position;
  }

  /** Forgets both (the lease was lost): the next read starts again from what is saved. */
  forget(): void {
    this.latest = this.saved = undefined;
  }
}
