import { describe, expect, it } from "bun:test";
import cassandra from "cassandra-driver";
import { isAmbiguous, isReplicaDown } from "./counter-writes.ts";

const { errors, types } = cassandra;

/** The driver's own shape for a connection that closed under a request (connection.js, writers.js). */
function socketError(requestNotWritten: boolean): Error {
  const error = Object.assign(new Error("Socket was closed"), { isSocketError: true, requestNotWritten: undefined as boolean | undefined });
  if (requestNotWritten) error.requestNotWritten = true;
  return error;
}

describe("isAmbiguous", () => {
  it.each([
    ["a client-side timeout", new errors.OperationTimedOutError("timed out"), true],
    ["a server write timeout", new errors.ResponseError(types.responseErrorCodes.writeTimeout, "write timeout"), true],
    ["a connection closed after the request was sent (a node died)", socketError(false), true],
    ["a connection closed before the request was written", socketError(true), false],
    [
      "too few replicas alive (nothing was attempted)",
      new errors.ResponseError(types.responseErrorCodes.unavailableException, "unavailable"),
      false,
    ],
    ["a syntax error", new errors.ResponseError(types.responseErrorCodes.syntaxError, "bad"), false],
  ])("%s → %p", (_name, error, expected) => {
    expect(isAmbiguous(error)).toBe(expected);
  });

  it("looks inside NoHostAvailableError at each host's failure", () => {
    const some = new errors.NoHostAvailableError({ a: socketError(true), b: socketError(false) });
    const none = new errors.NoHostAvailableError({ a: socketError(true) });
    expect(isAmbiguous(some)).toBe(true);
    expect(isAmbiguous(none)).toBe(false);
  });
});

describe("isReplicaDown (a read at ALL that cannot be answered)", () => {
  const unavailable = () => new errors.ResponseError(types.responseErrorCodes.unavailableException, "Cannot achieve consistency level ALL");
  const readTimeout = () => new errors.ResponseError(types.responseErrorCodes.readTimeout, "Operation timed out");

  it("holds for Unavailable and a read timeout, directly or after the driver tried every coordinator", () => {
    expect(isReplicaDown(unavailable())).toBe(true);
    expect(isReplicaDown(readTimeout())).toBe(true);
    expect(isReplicaDown(new errors.NoHostAvailableError({ a: unavailable(), b: readTimeout() }))).toBe(true);
  });

  it("holds when one coordinator said so and another could not be reached", () => {
    expect(isReplicaDown(new errors.NoHostAvailableError({ a: socketError(true), b: unavailable() }))).toBe(true);
  });

  it("does not hold when no coordinator could be reached at all", () => {
    expect(isReplicaDown(new errors.NoHostAvailableError({ a: socketError(true), b: socketError(false) }))).toBe(false);
    expect(isReplicaDown(new errors.NoHostAvailableError({}))).toBe(false);
    expect(isReplicaDown(new errors.OperationTimedOutError("timed out"))).toBe(false);
  });
});
