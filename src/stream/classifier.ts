// Runs classifyBatch on a worker thread, answers in submission order, and falls back to this thread if the worker fails.
import { classifyBatch, type BatchVerdicts } from "../stats/classify.ts";

/**
 * From source, the worker sits beside this file. In the compiled binary this code is bundled into the
 * main module (/$bunfs/root/wikitally) and the worker, built as a second entry point, keeps its path
 * under the entry points' common root, src/ (see package.json's build script).
 */
const WORKER_ENTRY = import.meta.url.startsWith("file:///$bunfs/")
  ? new URL("./stream/classify-worker.ts", import.meta.url).href
  : new URL("./classify-worker.ts", import.meta.url).href;

/**
 * A batch of at most this many events is classified on this thread when the worker has none in
 * flight. Handing a batch over wakes the worker and then this thread again, which costs more CPU
 * than classifying a few events here, and the live stream's reads carry one or a few events: at the
 * live pace the worker stays asleep. Under a burst, INLINE_BUDGET_EVENTS sends the rest to the worker.
 */
export const INLINE_MAX_EVENTS = 64;

/**
 * At most this many events are classified on this thread per INLINE_WINDOW_MS, however small the
 * batches. Without a budget a burst can lock the pipeline onto this thread: a socket read carries a
 * few dozen events, each such batch is classified here because the worker is idle, and the worker
 * stays idle because it never gets one, so the burst runs at the speed of one thread. A much smaller
 * budget ends that too, but sends the worker batches that durable ingest, where Cassandra competes
 * for the CPU, pays for in wake-ups; this one keeps every small batch here at the live pace and
 * under moderate bursts.
 */
export const INLINE_BUDGET_EVENTS = 5_000;
export const INLINE_WINDOW_MS = 100;

/**
 * JSON.parse is over half of ingest's CPU; on a worker it runs beside the socket reads and SSE
 * parsing instead of after them. One worker answers in order, so a FIFO of resolvers pairs answers
 * with batches; a batch is only classified here while that FIFO is empty, so order holds.
 */
export class Classifier {
  private worker: Worker | undefined;
  private failed = false;
  private readonly inFlight: { payloads: string[]; resolve: (verdicts: BatchVerdicts) => void }[] = [];
  /** Events classified here in the window that started at windowStart (see INLINE_BUDGET_EVENTS). */
  private windowStart = -Infinity;
  private inlineEvents = 0;

  constructor(
    private readonly onWorkerError: (error: unknown) => void,
    private readonly workerUrl?: string,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  classify(payloads: string[]): Promise<BatchVerdicts> {
    const here = this.classifyHere(payloads);
    if (here !== undefined) return Promise.resolve(here);
    const worker = (this.worker ??= this.start());
    return new Promise((resolve) => {
      this.inFlight.push({ payloads, resolve });
      worker.postMessage(payloads);
    });
  }

  /** The verdicts at once when the batch is classified on this thread, else undefined: classify() sends it to the worker. */
  classifyHere(payloads: string[]): BatchVerdicts | undefined {
    if (this.failed || (payloads.length <= INLINE_MAX_EVENTS && this.inFlight.length === 0 && this.takeInline(payloads.length))) {
      return classifyBatch(payloads);
    }
    return undefined;
  }

  /** Ends the worker; batches still in flight are classified here, so none is lost. */
  close(): void {
    this.stopWorker();
    this.drainInline();
  }

  /** Whether `events` more fit this window's budget for classifying here; if so, they are counted against it. */
  private takeInline(events: number): boolean {
    const now = this.now();
    if (now - this.windowStart >= INLINE_WINDOW_MS) {
      this.windowStart = now;
      this.inlineEvents = 0;
    }
    if (this.inlineEvents + events > INLINE_BUDGET_EVENTS) return false;
    this.inlineEvents += events;
    return true;
  }

  private start(): Worker {
    const worker = new Worker(this.workerUrl ?? WORKER_ENTRY);
    // The worker must never keep a stopping process alive.
    worker.unref();
    worker.onmessage = (message: MessageEvent<BatchVerdicts>) => this.inFlight.shift()?.resolve(message.data);
    worker.onerror = (event) => {
      event.preventDefault();
      // Counting must go on: the rest of this process's batches are classified on this thread.
      this.failed = true;
      this.stopWorker();
      this.onWorkerError(event.error ?? event.message);
      this.drainInline();
    };
    return worker;
  }

  private stopWorker(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }

  private drainInline(): void {
    for (const { payloads, resolve } of this.inFlight.splice(0)) resolve(classifyBatch(payloads));
  }
}
