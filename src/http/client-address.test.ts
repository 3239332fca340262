import { describe, expect, it } from "bun:test";
import { ClientAddress } from "./client-address.ts";

describe("ClientAddress", () => {
  const behind = new ClientAddress(["10.0.0.0/8", "192.0.2.1", "fd00::/8"]);

  it.each<[string, string | undefined, string | null, string]>([
    ["no server (app.handle)", undefined, "203.0.113.1", "unknown"],
    ["a peer that is not a proxy, ignoring its header", "203.0.113.5", "198.51.100.1", "203.0.113.5"],
    ["a trusted peer without the header", "10.1.1.1", null, "10.1.1.1"],
    ["one trusted hop", "10.1.1.1", "198.51.100.7", "198.51.100.7"],
    ["the right-most untrusted hop of a chain", "10.1.1.1", "1.1.1.1, 198.51.100.7, 10.2.2.2, 192.0.2.1", "198.51.100.7"],
    ["the left-most hop when every hop is trusted", "10.1.1.1", "10.9.9.9, 192.0.2.1", "10.9.9.9"],
    ["the last trusted hop when a hop is not an address", "10.1.1.1", "198.51.100.7, garbage, 10.2.2.2", "10.2.2.2"],
    ["an empty header", "10.1.1.1", "", "10.1.1.1"],
    ["IPv6 peers and hops", "fd12::1", "2001:db8::7", "2001:db8::7"],
    ["an IPv4-mapped IPv6 peer, as IPv4", "::ffff:10.1.1.1", "198.51.100.7", "198.51.100.7"],
    ["an IPv4-mapped untrusted peer, as IPv4", "::ffff:203.0.113.5", null, "203.0.113.5"],
    ["hops with ports", "10.1.1.1", "[2001:db8::9]:443, 198.51.100.8:5000", "198.51.100.8"],
    ["a bracketed IPv6 hop with a port", "10.1.1.1", "[2001:db8::9]:443", "2001:db8::9"],
  ])("names the client for %s", (_name, peer, forwardedFor, expected) => {
    expect(behind.of(peer, forwardedFor)).toBe(expected);
  });

  it("believes no header without trusted proxies", () => {
    expect(new ClientAddress([]).of("127.0.0.1", "198.51.100.7")).toBe("127.0.0.1");
  });

  it("does not throw on a peer that is not an IP address", () => {
    expect(behind.of("not-an-ip", "198.51.100.7")).toBe("not-an-ip");
  });
});
