// The address a request comes from: the TCP peer, or behind trusted proxies the right-most
// X-Forwarded-For hop they did not add themselves. Login limits are kept per this address.
import { BlockList, isIP } from "node:net";

export class ClientAddress {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  /** `trustedProxies`: addresses and CIDR ranges (validated by the config schema). */
  constructor(trustedProxies: readonly string[]) {
    for (const entry of trustedProxies) {
      const [address = "", prefix] = entry.split("/");
      const type = isIP(address) === 6 ? "ipv6" : "ipv4";
      if (prefix === undefined) this.trusted.addAddress(address, type);
      else this.trusted.addSubnet(address, Number(prefix), type);
    }
    this.any = trustedProxies.length > 0;
  }

  /**
   * Every hop left of the right-most untrusted one could have been written by the client itself,
   * so it is ignored; a hop that is not an address ends the walk at the last trusted one.
   */
  of(peer: string | undefined, forwardedFor: string | null): string {
    if (peer === undefined) return "unknown";
    let client = plain(peer);
    if (!this.any || forwardedFor === null || !this.trusts(client)) return client;
    const hops = forwardedFor.split(",");
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plain(hops[i]!.trim());
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!this.trusts(hop)) return hop;
    }
    return client;
  }

  private trusts(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 6 ? "ipv6" : "ipv4");
  }
}

/** One spelling per client: IPv4-mapped IPv6 as IPv4, and a port some proxies append dropped. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const withPort = /^\[([0-9a-f:.]+)\]:\d+$/i.exec(address) ?? /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(address);
  return withPort ? plain(withPort[1]!) : address;
}
