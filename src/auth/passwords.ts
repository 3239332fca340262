// Password hashing: argon2id through Bun.password, never plain text, constant-time checks.

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id" });
}

export function isPasswordHash(stored: string): boolean {
  return stored.startsWith("$argon2") || stored.startsWith("$2");
}

// Verified against when the user is unknown, so an unknown name costs as much as a wrong password.
let decoy: Promise<string> | undefined;

/** True when `password` matches `stored`; `stored` undefined means the user does not exist. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  if (stored === undefined) {
    decoy ??= hashPassword(crypto.randomUUID());
    await Bun.password.verify(password, await decoy);
    return false;
  }
  return Bun.password.verify(password, stored);
}
