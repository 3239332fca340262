// Counter updates for one flush, written in small batches and never applied twice.
import cassandra from "cassandra-driver";
import type { Stats } from "../../stats/types.ts";
import type { Delta } from "./delta.ts";
import { IDEMPOTENT } from "./query-options.ts";

const { Long } = cassandra.types;

/** One counter row update: its CQL, and how to move its counts from the delta to the mirror. */
export interface CounterPart {
  query: string;
  params: unknown[];
  /** Reads the row's current value(s) as numbers, to tell whether an ambiguous write landed. */
  row: { table: "stats_summary" | "user_count" | "server_counts"; key: string };
  /** Counter values the row must hold if the write was applied. */
  expected: number[];
  /** Values the row held before the write (from the mirror). */
  before: number[];
  apply(): void;
}

/** Splits a delta into counter row updates against the mirror of what Cassandra holds. */
export function counterParts(keyspace: string, delta: Delta, mirror: Stats): CounterPart[] {
  const parts: CounterPart[] = [];
  // Not zero: a negative delta takes counts back out (see landed-ahead.ts).
  if (delta.messages !== 0) {
    const m = delta.messages;
    const b = delta.bots;
    const before = [mirror.messages, mirror.bots, mirror.non_bots];
    parts.push({
      query: `UPDATE ${keyspace}.stats_summary SET total_messages = total_messages + ?, bot_count = bot_count + ?, non_bot_count = non_bot_count + ? WHERE id = 'global'`,
      params: [Long.fromNumber(m), Long.fromNumber(b), Long.fromNumber(m - b)],
      row: { table: "stats_summary", key: "global" },
      before,
      expected: [before[0]! + m, before[1]! + b, before[2]! + m - b],
      apply() {
        mirror.messages += m;
        mirror.bots += b;
        mirror.non_bots += m - b;
        delta.messages -= m;
        delta.bots -= b;
      },
    });
  }
  if (delta.newUsers > 0) {
    const n = delta.newUsers;
    parts.push({
      query: `UPDATE ${keyspace}.user_count SET distinct_users = distinct_users + ? WHERE id = 'global'`,
      params: [Long.fromNumber(n)],
      row: { table: "user_count", key: "global" },
      before: [mirror.distinct_users],
      expected: [mirror.distinct_users + n],
      apply() {
        mirror.distinct_users += n;
        delta.newUsersWritten(n);
      },
    });
  }
  for (const [url, n] of delta.servers) {
    const before = mirror.by_server_url[url] ?? 0;
    parts.push({
      query: `UPDATE ${keyspace}.server_counts SET count = count + ? WHERE server_url = ?`,
      params: [Long.fromNumber(n), url],
      row: { table: "server_counts", key: url },
      before: [before],
      expected: [before + n],
      apply() {
        mirror.by_server_url[url] = (mirror.by_server_url[url] ?? 0) + n;
        delta.servers.delete(url);
      },
    });
  }
  return parts;
}

/** A counter column (a Long, or null when never written) as a number. */
export function counterValue(value: unknown): number {
  return value == null ? 0 : Number(value.toString());
}

/**
 * Reads the current values of a part's row, to tell whether a timed-out write landed. At ALL when
 * every replica answers: a counter write that timed out may so far be applied on one replica only
 * (its leader), which a quorum read can miss. With a replica down, ALL cannot answer and the
 * configured consistency decides; db/README.md, What survives what, states the case this leaves open.
 */
export async function readPart(client: cassandra.Client, keyspace: string, part: CounterPart): Promise<number[]> {
  try {
    return await readPartAt(client, keyspace, part, cassandra.types.consistencies.all);
  } catch (error) {
    if (!isReplicaDown(error)) throw error;
    return readPartAt(client, keyspace, part, undefined);
  }
}

async function readPartAt(
  client: cassandra.Client,
  keyspace: string,
  part: CounterPart,
  consistency: number | undefined,
): Promise<number[]> {
  const options = { ...IDEMPOTENT, ...(consistency === undefined ? {} : { consistency }) };
  const n = counterValue;
  switch (part.row.table) {
    case "stats_summary": {
      const row = (
        await client.execute(
          `SELECT total_messages, bot_count, non_bot_count FROM ${keyspace}.stats_summary WHERE id = 'global'`,
          [],
          options,
        )
      ).first();
      return [n(row?.total_messages), n(row?.bot_count), n(row?.non_bot_count)];
    }
    case "user_count": {
      const row = (await client.execute(`SELECT distinct_users FROM ${keyspace}.user_count WHERE id = 'global'`, [], options)).first();
      return [n(row?.distinct_users)];
    }
    case "server_counts": {
      const row = (
        await client.execute(`SELECT count FROM ${keyspace}.server_counts WHERE server_url = ?`, [part.row.key], options)
      ).first();
      return [n(row?.count)];
    }
  }
}

/**
 * Cassandra refused a read at ALL because a replica is known down, or one did not answer in time;
 * the driver wraps those in NoHostAvailableError once its retry policy has tried other coordinators
 * (one coordinator saying so is enough, whatever the others answered).
 */
export function isReplicaDown(error: unknown): boolean {
  const { errors, types } = cassandra;
  if (error instanceof errors.NoHostAvailableError) {
    return Object.values(error.innerErrors as Record<string, unknown>).some(isReplicaDown);
  }
  const codes = types.responseErrorCodes;
  return error instanceof errors.ResponseError && (error.code === codes.unavailableException || error.code === codes.readTimeout);
}

/**
 * True when the driver cannot know whether the server applied the write (a timeout), as opposed
 * to errors that prove it was not applied (no host reachable, unavailable replicas, overload).
 */
export function isAmbiguous(error: unknown): boolean {
  const { errors } = cassandra;
  if (error instanceof errors.NoHostAvailableError) {
    return Object.values(error.innerErrors as Record<string, unknown>).some(isAmbiguous);
  }
  if (error instanceof errors.OperationTimedOutError) return true;
  // The connection closed after the request was sent (e.g. the coordinator died): it may have been applied.
  const socket = error as { isSocketError?: boolean; requestNotWritten?: boolean } | undefined;
  if (socket?.isSocketError === true) return socket.requestNotWritten !== true;
  if (error instanceof errors.ResponseError) {
    const codes = cassandra.types.responseErrorCodes;
    return error.code === codes.writeTimeout || error.code === codes.serverError;
  }
  return false;
}
