// Who may log in. The in-memory directory holds the configured admin; Cassandra keeps a table.
import { hashPassword, isPasswordHash, verifyPassword } from "./passwords.ts";

export interface UserDirectory {
  /**
   * Creates the user with this password if it does not exist yet. Returns at once: hashing (and
   * the database) stay off the start-up path, and verify() waits for the creation to finish.
   */
  ensureUser(username: string, password: string): Promise<void>;
  /** True when the credentials are right. Same cost for unknown users and wrong passwords. */
  verify(username: string, password: string): Promise<boolean>;
}

export class MemoryUsers implements UserDirectory {
  private readonly hashes = new Map<string, Promise<string>>();

  async ensureUser(username: string, password: string): Promise<void> {
    if (!this.hashes.has(username)) this.hashes.set(username, hashPassword(password));
  }

  async verify(username: string, password: string): Promise<boolean> {
    const stored = await this.hashes.get(username);
    return stored !== undefined && isPasswordHash(stored) ? verifyPassword(password, stored) : verifyPassword(password, undefined);
  }
}
