// The driver's query options, stated once for every statement wikitally sends.

/** Every statement is prepared: parsed once by Cassandra, and routed to a replica of its partition. */
export const PREPARED = { prepare: true } as const;

/**
 * For statements that are safe to apply twice (reads, plain inserts): the driver may retry them on
 * another node when a connection dies mid-request, which is what keeps a flush going when a node is lost.
 * Never for counter updates or lightweight transactions.
 */
export const IDEMPOTENT = { prepare: true, isIdempotent: true } as const;
