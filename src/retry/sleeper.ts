// A wait that shutdown can cut short: retry loops sleep through it, stop() wakes them at once.

export class Sleeper {
  private wakeUp: (() => void) | undefined;
  private woken = false;

  /** Resolves after `ms`, or at once when wake() is called (now or during the wait). */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  /** Ends the current wait and every later one: used when the owner stops for good. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }
}
