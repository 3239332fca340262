import { afterEach, describe, expect, it, spyOn } from "bun:test";
import { hashPassword, isPasswordHash, verifyPassword } from "./passwords.ts";
import { MemoryUsers } from "./users.ts";

describe("hashPassword", () => {
  it.each([
    ["an ASCII password", "correct horse battery staple"],
    ["a password with non-ASCII characters", "pässwörd-密码-🔑"],
    ["a long password", "P@ss word! ".repeat(90)],
  ])("hashes %s with argon2id, never storing the plain text", async (_name, password) => {
    const hash = await hashPassword(password);
    expect(hash.startsWith("$argon2id$")).toBe(true);
    expect(hash).not.toBe(password);
    expect(hash).not.toContain(password);
    expect(isPasswordHash(hash)).toBe(true);
  });

  it("salts every hash, so the same password hashes differently each time", async () => {
    const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(a).not.toBe(b);
  });
});

describe("isPasswordHash", () => {
  it.each([
    ["an argon2id hash", "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", true],
    ["a bcrypt hash", "$2b$10$abcdefghijklmnopqrstuv", true],
    ["plain text", "password123", false],
    ["an empty string", "", false],
    ["a hex digest", "5f4dcc3b5aa765d61d8327deb882cf99", false],
  ])("recognises %s: %p", (_name, stored, expected) => {
    expect(isPasswordHash(stored)).toBe(expected);
  });
});

describe("verifyPassword", () => {
  afterEach(() => {
    // spyOn replaces the method for the rest of the file otherwise.
    (Bun.password.verify as unknown as { mockRestore?: () => void }).mockRestore?.();
  });

  it("accepts the right password", async () => {
    const hash = await hashPassword("s3cret-pass");
    expect(await verifyPassword("s3cret-pass", hash)).toBe(true);
  });

  it.each([
    ["a different password", "wrong-pass"],
    ["the password in another case", "S3CRET-PASS"],
    ["the password with a trailing space", "s3cret-pass "],
    ["a prefix of the password", "s3cret"],
    ["an empty password", ""],
  ])("rejects %s", async (_name, attempt) => {
    const hash = await hashPassword("s3cret-pass");
    expect(await verifyPassword(attempt, hash)).toBe(false);
  });

  it("returns false for an unknown user (undefined hash), whatever the password", async () => {
    expect(await verifyPassword("anything", undefined)).toBe(false);
    expect(await verifyPassword("", undefined)).toBe(false);
  });

  it("still runs a password verification for an unknown user, so it costs as much as a wrong password", async () => {
    const verify = spyOn(Bun.password, "verify");
    expect(await verifyPassword("guess", undefined)).toBe(false);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]![0]).toBe("guess");
  });
});

describe("MemoryUsers", () => {
  it("verifies the user it was given and nobody else", async () => {
    const users = new MemoryUsers();
    await users.ensureUser("admin", "admin-password");
    expect(await users.verify("admin", "admin-password")).toBe(true);
    expect(await users.verify("admin", "wrong-password")).toBe(false);
    expect(await users.verify("Admin", "admin-password")).toBe(false);
    expect(await users.verify("nobody", "admin-password")).toBe(false);
  });

  it("keeps the first password when ensureUser is called again", async () => {
    const users = new MemoryUsers();
    await users.ensureUser("admin", "first-password");
    await users.ensureUser("admin", "second-password");
    expect(await users.verify("admin", "first-password")).toBe(true);
    expect(await users.verify("admin", "second-password")).toBe(false);
  });
});
