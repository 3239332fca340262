// Reads a query's rows page by page, for tables too large to read in one answer.
import type cassandra from "cassandra-driver";
import { IDEMPOTENT } from "./query-options.ts";

/** Rows per page. */
export const PAGE_ROWS = 5_000;

/**
 * `query`'s rows, through the driver's own paging: its stream reads the next page once the loop has
 * taken this one's rows, so a scan holds about a page at a time, and an empty page that still has a
 * paging state does not end it (as iterating the ResultSet of `execute` would). Reads are idempotent
 * and prepared. The driver's types call the stream an EventEmitter; it is a Readable of rows.
 */
export function pagedRows(client: cassandra.Client, query: string, params: unknown[]): AsyncIterable<cassandra.types.Row> {
  return client.stream(query, params, { ...IDEMPOTENT, fetchSize: PAGE_ROWS }) as unknown as AsyncIterable<cassandra.types.Row>;
}
