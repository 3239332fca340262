import { describe, expect, it } from "bun:test";
import { bearerToken } from "./bearer.ts";
import { HttpError, UnauthorizedError } from "./errors.ts";

const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl";

function rejection(header: string | undefined): UnauthorizedError {
  try {
    bearerToken(header);
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    return error as UnauthorizedError;
  }
  throw new Error(`expected ${JSON.stringify(header)} to be rejected`);
}

describe("bearerToken", () => {
  it.each([
    ["a JWT", `Bearer ${JWT}`, JWT],
    ["a lower-case scheme", `bearer ${JWT}`, JWT],
    ["an upper-case scheme", `BEARER ${JWT}`, JWT],
    ["several spaces after the scheme", `Bearer   ${JWT}`, JWT],
    ["trailing spaces", `Bearer ${JWT}  `, JWT],
    ["every b64token character", "Bearer aZ09-._~+/", "aZ09-._~+/"],
    ["trailing = padding", "Bearer abc==", "abc=="],
  ])("returns the token from %s", (_name, header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    ["no header", undefined],
    ["an empty header", ""],
    ["a blank header", "   "],
  ])("rejects %s as unauthorized, with a bare challenge and no error code", (_name, header) => {
    const error = rejection(header);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(401);
    expect(error.code).toBe("unauthorized");
    expect(error.headers["WWW-Authenticate"]).toBe('Bearer realm="wikitally"');
    // RFC 6750 §3.1: no error code when the request carried no credentials at all.
    expect(error.headers["WWW-Authenticate"]).not.toContain("error=");
  });

  it.each([
    ["Basic credentials", "Basic dXNlcjpwYXNz"],
    ["the scheme alone", "Bearer"],
    ["the scheme and a space", "Bearer "],
    ["two tokens", "Bearer a b"],
    ["a token list", "Bearer a,b"],
    ["a quoted token", 'Bearer "abc"'],
    ["padding inside the token", "Bearer ab=c"],
    ["another scheme named like Bearer", `Bearerx ${JWT}`],
    ["no space after the scheme", `Bearer${JWT}`],
    ["a leading space", ` Bearer ${JWT}`],
    ["a token with a newline", `Bearer ${JWT}\nX-Injected: 1`],
  ])("rejects %s as invalid_request", (_name, header) => {
    const error = rejection(header);
    expect(error.status).toBe(401);
    expect(error.code).toBe("invalid_request");
    const challenge = error.headers["WWW-Authenticate"]!;
    expect(challenge).toStartWith('Bearer realm="wikitally"');
    expect(challenge).toContain('error="invalid_request"');
    expect(challenge).not.toContain("invalid_token");
  });
});
