// Writes a flush's counter updates in small batches, and recovers from a timed-out batch without counting it twice.
import type cassandra from "cassandra-driver";
import type { Logger } from "../../log/logger.ts";
import { CASSANDRA_READ } from "../../retry/policies.ts";
import { retry } from "../../retry/retry.ts";
import type { Stats } from "../../stats/types.ts";
import type { Session } from "./connection.ts";
import { counterParts, isAmbiguous, readPart, type CounterPart } from "./counter-writes.ts";
import type { Delta } from "./delta.ts";
import { PREPARED } from "./query-options.ts";
import { chunks, forEachLimited } from "./limited.ts";

interface CounterFlushOptions {
  keyspace: string;
  /** Counter updates per unlogged batch: Cassandra warns above 10 partitions. */
  batchSize: number;
  /** Aborted when the store closes: reading back then gives up after a few tries. */
  closing: AbortSignal;
  /** A statement succeeded (for /ready). */
  answered: () => void;
  log: Logger;
}

export class CounterFlush {
  constructor(private readonly options: CounterFlushOptions) {}

  /** Writes `delta`'s counters (8 batches in flight), moving each landed row's counts from the delta to `mirror`. */
  async write(client: cassandra.Client, session: Session, delta: Delta, mirror: Stats): Promise<void> {
    const parts = counterParts(this.options.keyspace, delta, mirror);
    await forEachLimited(chunks(parts, this.options.batchSize), 8, (batch) => this.writeBatch(client, session, batch));
  }

  /**
   * Counter updates are not idempotent: after a timeout the batch may or may not have landed, and
   * retrying blindly could count it twice. So an ambiguous failure reads every row back (this process
   * is their only writer), keeps what landed and sends again only what is known not to have landed.
   * Reading back is not fenced: it writes nothing.
   */
  private async writeBatch(client: cassandra.Client, session: Session, parts: CounterPart[], attempt = 1): Promise<void> {
    const { log, keyspace } = this.options;
    try {
      await session.batch(
        parts.map((p) => ({ query: p.query, params: p.params })),
        { ...PREPARED, counter: true, logged: false },
      );
    } catch (error) {
      if (!isAmbiguous(error)) throw error;
      log.warn("counter batch timed out; checking which rows it reached before retrying", { error, attempt });
      const missing: CounterPart[] = [];
      for (const part of parts) {
        const now = await this.untilAnswered(() => readPart(client, keyspace, part));
        if (sameValues(now, part.before)) {
          missing.push(part);
          continue;
        }
        if (!sameValues(now, part.expected)) {
          log.warn("counter row changed by another writer; not retrying it", { row: part.row, now, expected: part.expected });
        }
        part.apply();
      }
      // At once rather than at the next flush: a node lost mid-request should not fail the flush (and /ready).
      if (missing.length > 0) {
        if (attempt >= 3) throw error;
        await this.writeBatch(client, session, missing, attempt + 1);
      }
      return;
    }
    for (const part of parts) part.apply();
  }

  private async untilAnswered<T>(read: () => Promise<T>): Promise<T> {
    const { answered, closing, log } = this.options;
    // Until answered: the row decides what is re-sent. Only a closing store gives up, after a few tries.
    const giveUp = new AbortController();
    return retry(
      async (attempt) => {
        try {
          const answer = await read();
          answered();
          return answer;
        } catch (error) {
          if (closing.aborted && attempt > 3) giveUp.abort();
          throw error;
        }
      },
      {
        backoff: CASSANDRA_READ,
        signal: giveUp.signal,
        onRetry: (error, attempt, retryInMs) =>
          log.warn("reading back a timed-out counter row failed; retrying", { error, attempt, retry_in_ms: retryInMs }),
      },
    );
  }
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
