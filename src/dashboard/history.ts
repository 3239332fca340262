// Counted events per second over the last minutes, in a ring buffer sampled once a second (off the hot path).

interface HistorySeries {
  /** Seconds per point. */
  step_s: number;
  /** Unix seconds at the end of the last point; point i covers [end - (n - i) * step_s, end - (n - 1 - i) * step_s). */
  end: number;
  /** Counted events per second, oldest first. */
  events: number[];
}

export class EventHistory {
  private readonly ring: Float64Array;
  private size = 0;
  private next = 0;
  private lastTotal: number;
  private lastAt: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param total the running count to differentiate (ingest's `counted`)
   * @param seconds how many per-second points are kept
   */
  constructor(
    private readonly total: () => number,
    readonly seconds = 600,
    private readonly now = Date.now,
  ) {
    this.ring = new Float64Array(seconds);
    this.lastTotal = total();
    this.lastAt = now();
  }

  start(): void {
    this.timer ??= setInterval(() => this.sample(), 1000);
    // A sampler must not keep a finished process (or a test run) alive.
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Adds one point: the events counted since the last sample, per second of the time that passed. */
  sample(): void {
    const at = this.now();
    const total = this.total();
    const seconds = Math.max(0.001, (at - this.lastAt) / 1000);
    this.ring[this.next] = Math.round(((total - this.lastTotal) / seconds) * 10) / 10;
    this.next = (this.next + 1) % this.seconds;
    this.size = Math.min(this.size + 1, this.seconds);
    this.lastTotal = total;
    this.lastAt = at;
  }

  series(): HistorySeries {
    const events = new Array<number>(this.size);
    const first = (this.next - this.size + this.seconds) % this.seconds;
    for (let i = 0; i < this.size; i++) events[i] = this.ring[(first + i) % this.seconds]!;
    return { step_s: 1, end: Math.floor(this.lastAt / 1000), events };
  }
}
