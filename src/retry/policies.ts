// Named retry policies: each backoff the service uses, defined once and referred to by name.
import type { BackoffOptions } from "./backoff.ts";

/**
 * Reading from Cassandra again (saved position, totals, users, a lease take-over): fast enough that a
 * brief blip costs a fraction of a second, capped so a long outage is not hammered.
 */
export const CASSANDRA_READ: BackoffOptions = { minMs: 200, maxMs: 5000 };
/** A schema statement at startup: a few quick attempts, then the failure is the caller's. */
export const SCHEMA_STATEMENT: BackoffOptions = { minMs: 200, maxMs: 1000 };
/** A login's user lookup: a client is waiting, so two short retries at most. */
export const LOGIN_LOOKUP: BackoffOptions = { minMs: 200, maxMs: 400 };
/**
 * Connecting to Cassandra at start-up: patient, since the service is useless without it and a cluster
 * can take a minute to come up; the caller may override both bounds.
 */
export const CASSANDRA_CONNECT: BackoffOptions = { minMs: 500, maxMs: 15_000 };
/** Creating a configured user at start-up: retried until it works, since nobody can log in without it. */
export const ENSURE_USER: BackoffOptions = { minMs: 200, maxMs: 5000 };
