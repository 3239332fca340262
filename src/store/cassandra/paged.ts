// Reads a query's rows page by page, for tables too large to read in one answer.
import type cassandra from "cassandra-driver";
import { IDEMPOTENT } from "./query-options.ts";

const DEFAULT_PAGE_ROWS = 5_000;

/**
 * Calls `onPage` with each page of `query`'s rows, in order, the next page read only once it returns;
 * stops early when it returns false. Reads are idempotent and prepared.
 */
export async function forEachPage(
  client: cassandra.Client, query: string, params: unknown[],
  onPage: (rows: cassandra.types.Row[]) => Promise<boolean | void> | boolean | void,
  pageRows = DEFAULT_PAGE_ROWS,
): Promise<void> {
  let pageState: string | undefined;
  do {
    const options = { ...IDEMPOTENT, fetchSize: pageRows, ...(pageState === undefined ? {} : { pageState }) };
    const page = await client.execute(query, params, options);
    if ((await onPage(page.rows)) === false) return;
    pageState = page.pageState ?? undefined;
  } while (pageState !== undefined);
}
