// Content-coding negotiation (RFC 9110 §12.5.3) and bodies compressed once, for answers served many times.
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { BoundedCache } from "../cache/bounded-cache.ts";

export type Coding = "br" | "gzip";

/** Preference when a client weighs both equally: brotli is smaller for JSON. */
const SUPPORTED: readonly Coding[] = ["br", "gzip"];

/**
 * The coding to answer with for an Accept-Encoding header, or undefined for identity. Honours
 * q-values (q=0 refuses a coding) and `*`; a missing header means identity, as most clients expect.
 */
export function negotiate(acceptEncoding: string | null): Coding | undefined {
  if (!acceptEncoding) return undefined;
  let best: Coding | undefined;
  let bestQ = 0;
  let wildcard: number | undefined;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [rawName = "", ...params] = part.split(";");
    const name = rawName.trim().toLowerCase();
    if (name === "") continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split("=");
      if (key?.trim().toLowerCase() === "q") q = Number(value?.trim());
    }
    if (!(q >= 0 && q <= 1)) continue;
    if (name === "*") wildcard = q;
    else weights.set(name === "x-gzip" ? "gzip" : name, q);
  }
  for (const coding of SUPPORTED) {
    const q = weights.get(coding) ?? wildcard ?? 0;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}

/**
 * negotiate() remembered per Accept-Encoding value: clients send one of a handful of strings, and
 * parsing it is a sizeable part of a cached /stats answer.
 */
export class Negotiator {
  private readonly known = new BoundedCache<string, Coding | "identity">({ maxSize: 64 });

  coding(acceptEncoding: string | null): Coding | undefined {
    if (!acceptEncoding) return undefined;
    let coding = this.known.get(acceptEncoding);
    if (coding === undefined) this.known.set(acceptEncoding, (coding = negotiate(acceptEncoding) ?? "identity"));
    return coding === "identity" ? undefined : coding;
  }
}

/** One body and its compressed forms, each made on first use and then reused. */
export class EncodedBody {
  private gzip: Uint8Array | undefined;
  private br: Uint8Array | undefined;

  constructor(readonly identity: Uint8Array) {}

  get(coding: Coding | undefined): Uint8Array {
    switch (coding) {
      case undefined:
        return this.identity;
      case "gzip":
        return (this.gzip ??= gzipSync(this.identity, { level: 6 }));
      case "br":
        // Quality 5: most of brotli's gain on JSON at a fraction of the default 11's cost (it runs once per change).
        return (this.br ??= brotliCompressSync(this.identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }));
    }
  }
}

/**
 * The entity tag of one coding of a body: a strong tag names one representation (RFC 9110 §8.8.3),
 * so the gzip and brotli forms get their own, derived from the identity form's tag.
 */
export function codedEtag(etag: string, coding: Coding | undefined): string {
  return coding === undefined ? etag : `${etag.slice(0, -1)}-${coding}"`;
}

/** Whether If-None-Match names any coding of the body tagged `etag` (or is `*`): the client's copy is current. */
export function isCurrent(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const base = etag.slice(0, -1);
  return ifNoneMatch.split(",").some((raw) => {
    const tag = raw.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag || (tag.startsWith(base) && /^-(br|gzip)"$/.test(tag.slice(base.length)));
  });
}
