// The distinct (server, user) pairs of one bucket: what "distinct users of that wiki" is counted from
// when a series step spans several buckets. Flat typed arrays, members dense, as in IdSet.
import { grown, mixPair } from "./hash.ts";

const EMPTY = 0;
/** The server of a pair whose event had no server URL: it matches no wiki's filter. */
export const NO_SERVER = 0xffff_ffff;

export class PairSet {
  size = 0;
  servers: Uint32Array;
  users: Uint32Array;
  private slots: Int32Array;

  constructor(capacity = 4) {
    this.servers = new Uint32Array(capacity);
    this.users = new Uint32Array(capacity);
    this.slots = new Int32Array(capacity * 2);
  }

  /** Adds the pair; true when it was not a member yet. */
  add(server: number, user: number): boolean {
    const mask = this.slots.length - 1;
    let slot = mixPair(server, user) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === EMPTY) break;
      if (this.users[entry - 1] === user && this.servers[entry - 1] === server) return false;
    }
    const index = this.size++;
    this.servers[index] = server;
    this.users[index] = user;
    this.slots[slot] = index + 1;
    if (this.size === this.servers.length) this.grow(this.servers.length * 2);
    return true;
  }

  private grow(capacity: number): void {
    this.servers = grown(this.servers, new Uint32Array(capacity));
    this.users = grown(this.users, new Uint32Array(capacity));
    const slots = new Int32Array(capacity * 2);
    const mask = slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = mixPair(this.servers[index]!, this.users[index]!) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
  }
}
