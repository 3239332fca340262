// The distinct (server, user) pairs of one bucket: what "distinct users of that wiki" is counted from
// when a series step spans several buckets. Flat typed arrays, members dense, frozen as IdSet is.
import { copied, mixPair, slotsFor } from "./hash.ts";

const EMPTY = 0;
/** The server of a pair whose event had no server URL: it matches no wiki's filter. */
export const NO_SERVER = 0xffff_ffff;

export class PairSet {
  size = 0;
  servers: Uint32Array;
  users: Uint32Array;
  private slots: Int32Array | undefined;

  constructor(capacity = 4) {
    this.servers = new Uint32Array(capacity);
    this.users = new Uint32Array(capacity);
    this.slots = new Int32Array(slotsFor(capacity));
  }

  /** Adds the pair; true when it was not a member yet. */
  add(server: number, user: number): boolean {
    const slots = this.slots ?? this.thaw();
    const mask = slots.length - 1;
    let slot = mixPair(server, user) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]!;
      if (entry === EMPTY) break;
      if (this.users[entry - 1] === user && this.servers[entry - 1] === server) return false;
    }
    const index = this.size++;
    this.servers[index] = server;
    this.users[index] = user;
    slots[slot] = index + 1;
    if (this.size === this.servers.length) {
      this.resize(this.servers.length * 2);
      this.rehash();
    }
    return true;
  }

  /** Keeps the members in arrays of their exact size and drops the slots. */
  freeze(): void {
    if (this.slots === undefined) return;
    this.slots = undefined;
    this.resize(this.size);
  }

  private resize(capacity: number): void {
    this.servers = copied(this.servers, new Uint32Array(capacity), this.size);
    this.users = copied(this.users, new Uint32Array(capacity), this.size);
  }

  private thaw(): Int32Array {
    this.resize(Math.max(4, this.size * 2));
    return this.rehash();
  }

  private rehash(): Int32Array {
    const slots = new Int32Array(slotsFor(this.servers.length));
    const mask = slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = mixPair(this.servers[index]!, this.users[index]!) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    return (this.slots = slots);
  }
}
