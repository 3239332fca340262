// Users kept in Cassandra's users table, with argon2id hashes; legacy plain-text rows upgraded on login.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Logger } from "../log/logger.ts";
import { ENSURE_USER, LOGIN_LOOKUP } from "../retry/policies.ts";
import { retry } from "../retry/retry.ts";
import type { CassandraConnection } from "../store/cassandra/connection.ts";
import { IDEMPOTENT, PREPARED } from "../store/cassandra/query-options.ts";
import { hashPassword, isPasswordHash, verifyPassword } from "./passwords.ts";
import type { UserDirectory } from "./users.ts";

export class CassandraUsers implements UserDirectory {
  /** User creations started at start-up; logins wait for them so the admin can log in once ready. */
  private readonly creating: Promise<void>[] = [];

  constructor(
    private readonly conn: CassandraConnection,
    private readonly log: Logger,
  ) {}

  /** Creates the user once Cassandra is reachable; start-up does not wait for the database. */
  async ensureUser(username: string, password: string): Promise<void> {
    const creation = this.conn
      .whenReady()
      .then(async (client) => {
        const hash = await hashPassword(password);
        // Retried until it works: without the user nobody can log in (e.g. a new table not yet known to every node).
        const result = await retry(
          () =>
            client.execute(
              `INSERT INTO ${this.conn.keyspace}.users (username, password) VALUES (?, ?) IF NOT EXISTS`,
              [username, hash],
              PREPARED,
            ),
          {
            backoff: ENSURE_USER,
            signal: this.conn.signal,
            onRetry: (error, attempt, retryInMs) =>
              this.log.warn("could not create user; retrying", { username, error, attempt, retry_in_ms: retryInMs }),
          },
        );
        if (result.wasApplied()) this.log.info("created user", { username });
      })
      .catch((error) => {
        if (!this.conn.isClosed) this.log.error("could not create user", { username, error });
      });
    this.creating.push(creation);
  }

  async verify(username: string, password: string): Promise<boolean> {
    if (!this.conn.isReady) throw new Error(`Cassandra not connected: ${this.conn.lastError ?? "connecting"}`);
    const client = await this.conn.whenReady();
    await Promise.all(this.creating);
    const select = () => client.execute(`SELECT password FROM ${this.conn.keyspace}.users WHERE username = ?`, [username], IDEMPOTENT);
    const row = (await withRetries(select)).first();
    const stored = (row?.password as string | null | undefined) ?? undefined;
    if (stored === undefined || isPasswordHash(stored)) return verifyPassword(password, stored);
    // A row written by the Go service's init.cql holds the password itself.
    if (!sameSecret(password, stored)) {
      await verifyPassword(password, undefined);
      return false;
    }
    // Conditional, so a concurrent login or password change is never overwritten with a stale value.
    await client.execute(
      `UPDATE ${this.conn.keyspace}.users SET password = ? WHERE username = ? IF password = ?`,
      [await hashPassword(password), username, stored],
      PREPARED,
    );
    this.log.warn("upgraded a plain-text password to an argon2id hash", { username });
    return true;
  }
}

/**
 * A read caught by a Cassandra node that just died fails (often after the server's 5 s read timeout)
 * until the cluster notices, which takes seconds: worth two more tries before answering 503.
 */
function withRetries<T>(read: () => Promise<T>): Promise<T> {
  return retry(read, { attempts: 3, backoff: LOGIN_LOOKUP });
}

/** Compares in constant time, whatever the lengths, by comparing digests. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
