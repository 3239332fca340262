// A naive Cassandra store, like the Go seed: five statements per event, no batching, no memory.
// Bench-only, to put wikitally's durable ingest rate in proportion. Same schema (db/init.cql), same
// events (the first events of the Cassandra ingest data set), prepared statements. Measured twice:
// one event at a time, as a per-event loop over the stream writes, and with 64 events in flight,
// a generous naive store; wikitally is compared with both.
import type cassandra from "cassandra-driver";
import { classify } from "../../src/stats/classify.ts";
import type { ChangeEvent } from "../../src/stats/types.ts";
import { schemaStatements } from "../../src/store/cassandra/schema.ts";
import { cpuMeter, fig, round, type Context, type Figure } from "./common.ts";
import { benchKeyspace, cassandraPid, connect, storedTotals } from "./cassandra-util.ts";
import { CASSANDRA_NEW_USER_SHARE } from "./ingest-cassandra.ts";
import { assertExact, dataset, expectedOf } from "./synthetic.ts";

const BENCH = "naive-cassandra";
const CONCURRENCY = 64;
const prepared = { prepare: true } as const;

/** Per event: read the user; insert the user; total +1; bot or non-bot +1; server_url +1. */
class NaiveStore {
  constructor(
    private readonly client: cassandra.Client,
    private readonly ks: string,
  ) {}

  async add(event: ChangeEvent): Promise<void> {
    const { client, ks } = this;
    if (event.user !== undefined) {
      // The seed's "is this user new?" read; its answer cannot be trusted with events in flight, so the
      // insert follows regardless (inserts are idempotent) and distinct users are the table's rows.
      await client.execute(`SELECT username FROM ${ks}.unique_users WHERE username = ?`, [event.user], prepared);
      await client.execute(`INSERT INTO ${ks}.unique_users (username) VALUES (?)`, [event.user], prepared);
    }
    await client.execute(`UPDATE ${ks}.stats_summary SET total_messages = total_messages + 1 WHERE id = 'global'`, [], prepared);
    await client.execute(
      event.bot
        ? `UPDATE ${ks}.stats_summary SET bot_count = bot_count + 1 WHERE id = 'global'`
        : `UPDATE ${ks}.stats_summary SET non_bot_count = non_bot_count + 1 WHERE id = 'global'`,
      [],
      prepared,
    );
    if (event.serverUrl !== undefined) {
      await client.execute(`UPDATE ${ks}.server_counts SET count = count + 1 WHERE server_url = ?`, [event.serverUrl], prepared);
    }
  }
}

/** What the lwt new-user check costs on its own: one INSERT ... IF NOT EXISTS per new user. */
async function lwtRate(client: cassandra.Client, ks: string, count: number) {
  let next = 0;
  const busy = cpuMeter(cassandraPid());
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) {
        const result = await client.execute(
          `INSERT INTO ${ks}.unique_users (username) VALUES (?) IF NOT EXISTS`,
          [`lwt-probe-${i}`],
          prepared,
        );
        if (!result.wasApplied()) throw new Error(`LWT insert of a new user was not applied`);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { count, perSecond: count / seconds, serverCpuPerInsert: (busy?.() ?? NaN) / count };
}

export async function naiveCassandra(ctx: Context): Promise<Figure[]> {
  const n = ctx.sizes.naiveEvents;
  const data = dataset(ctx.sizes.cassandraEvents, CASSANDRA_NEW_USER_SHARE);
  if (n > data.payloads.length) throw new Error(`naive sample ${n} is larger than the data set`);
  const expected = expectedOf(data, n);
  const ks = benchKeyspace("naive");
  ctx.keyspaces.add(ks);
  const client = await connect();
  try {
    for (const statement of schemaStatements({ keyspace: ks, replication: "SimpleStrategy:1", datacenter: "datacenter1" })) {
      await client.execute(statement);
    }
    const store = new NaiveStore(client, ks);
    const feed = async (from: number, to: number, inFlight: number) => {
      let next = from;
      const worker = async () => {
        for (let i = next++; i < to; i = next++) {
          const verdict = classify(data.payloads[i]!);
          if (typeof verdict !== "object") throw new Error(`event ${i} was not counted: ${verdict}`);
          await store.add(verdict);
        }
      };
      const start = performance.now();
      await Promise.all(Array.from({ length: inFlight }, worker));
      return (performance.now() - start) / 1000;
    };
    // One at a time first, over a tenth of the sample, then the rest with 64 in flight.
    const serial = Math.max(100, Math.floor(n / 10));
    const serialSeconds = await feed(0, serial, 1);
    const busy = cpuMeter(cassandraPid());
    const seconds = await feed(serial, n, CONCURRENCY);
    const serverCpu = busy?.() ?? NaN;
    const stored = await storedTotals(client, ks, "unique_users");
    // The naive store keeps no user_count; its distinct users are the rows of unique_users.
    assertExact("the naive store's tables", { ...stored, distinct_users: stored.unique_rows }, expected);
    ctx.log(
      `naive store: ${Math.round((n - serial) / seconds)} events/s (${CONCURRENCY} in flight), ${Math.round(serial / serialSeconds)} one at a time`,
    );
    const lwt = await lwtRate(client, ks, Math.max(500, Math.floor(n / 4)));
    ctx.log(`LWT inserts: ${Math.round(lwt.perSecond)}/s`);
    return [
      fig(BENCH, "events", n, "events", undefined, `first ${n} events of the Cassandra data set`),
      fig(
        BENCH,
        "naive store rate, one event at a time",
        round(serial / serialSeconds),
        "events/s",
        undefined,
        `5 statements per event, awaited in turn; ${serial} events`,
      ),
      fig(
        BENCH,
        "naive store rate",
        round((n - serial) / seconds),
        "events/s",
        undefined,
        `5 statements per event, ${CONCURRENCY} events in flight`,
      ),
      fig(BENCH, "statements per second", round((5 * (n - serial)) / seconds), "statements/s"),
      fig(
        BENCH,
        "Cassandra server CPU per event",
        round(serverCpu / (n - serial), 2),
        "µs/event",
        undefined,
        `${round(serverCpu / 1e6 / seconds, 2)} of ${navigator.hardwareConcurrency} cores busy on average`,
      ),
      fig(
        BENCH,
        "LWT alone: INSERT ... IF NOT EXISTS of new users",
        round(lwt.perSecond),
        "inserts/s",
        undefined,
        `${lwt.count} new users, ${CONCURRENCY} in flight, as wikitally inserts them; Cassandra CPU ${round(lwt.serverCpuPerInsert)} µs each`,
      ),
      fig(
        BENCH,
        `durable ingest ceiling at ${CASSANDRA_NEW_USER_SHARE * 100}% new users (LWT/s ÷ ${CASSANDRA_NEW_USER_SHARE})`,
        round(lwt.perSecond / CASSANDRA_NEW_USER_SHARE),
        "events/s",
        undefined,
        "if nothing but the LWTs cost anything",
      ),
    ];
  } finally {
    await client.shutdown();
  }
}
