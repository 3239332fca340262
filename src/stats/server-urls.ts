// The bound on distinct server URLs, so that by_server_url cannot grow with a hostile stream.

/** Default of the max_server_urls config key; Wikimedia has about a thousand wikis. */
export const DEFAULT_MAX_SERVER_URLS = 10_000;

export class ServerUrlLimit {
  private readonly known = new Set<string>();

  constructor(private readonly max: number = DEFAULT_MAX_SERVER_URLS) {}

  /**
   * Counts one event of `url` in `counts` unless the URL is refused (false). A URL `counts` holds was
   * admitted before, so only the others are asked about: two map operations an event, not three.
   */
  count(counts: Map<string, number>, url: string): boolean {
    const count = counts.get(url);
    if (count !== undefined) counts.set(url, count + 1);
    else if (this.admit(url)) counts.set(url, 1);
    else return false;
    return true;
  }

  /** True when `url` is counted: it is known already, or there is room for it (it is known from now on). */
  private admit(url: string): boolean {
    if (this.known.has(url)) return true;
    if (this.known.size >= this.max) return false;
    this.known.add(url);
    return true;
  }

  /** Records a URL the store already holds: it keeps counting even when a lower limit is configured now. */
  know(url: string): void {
    this.known.add(url);
  }
}
