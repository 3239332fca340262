import { describe, expect, it } from "bun:test";
import cassandra from "cassandra-driver";
import { consistencyLevel, driverErrorText, sharedPort } from "./connection.ts";

describe("sharedPort (the port the driver gives the nodes it discovers)", () => {
  it.each([
    [["127.0.0.1:9442", "127.0.0.2:9442", "127.0.0.3:9442"], 9442],
    [["db-1:9043"], 9043],
    [["db-1", "db-2"], undefined],
    [["127.0.0.1:9442", "127.0.0.2:9443"], undefined],
    [["127.0.0.1:9442", "127.0.0.2"], undefined],
  ])("%p → %p", (points, expected) => {
    expect(sharedPort(points)).toBe(expected);
  });
});

describe("consistencyLevel", () => {
  it("maps CQL names to the driver's levels", () => {
    expect(consistencyLevel("LOCAL_QUORUM")).toBe(6);
    expect(consistencyLevel("LOCAL_SERIAL")).toBe(9);
    expect(consistencyLevel("ALL")).toBe(5);
  });
});

describe("driverErrorText", () => {
  it("names the first host's own error of a NoHostAvailableError, in one line", () => {
    const refused = new Error("connect ECONNREFUSED 127.0.0.1:9042\n    at stack frame");
    const error = new cassandra.errors.NoHostAvailableError({ "127.0.0.1:9042": refused, "127.0.0.2:9042": new Error("other") });
    expect(driverErrorText(error)).toBe("no host answered; 127.0.0.1:9042: connect ECONNREFUSED 127.0.0.1:9042");
  });

  it("is the first line of any other error", () => {
    expect(driverErrorText(new Error(" timed out \nmore"))).toBe("timed out");
  });
});
