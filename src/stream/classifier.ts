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
 * flight. Handing a batch over wakes the worker and then this thread again, about 110 µs of CPU on
 * this 2-core machine, against about 3 µs an event to classify here: the live stream's reads carry
 * one or a few events, and at 100 events/s (one a read) the service used 4.7 % of a core with the
 * worker and 3.0 % without it. Under a burst in memory, where the worker is the slower thread,
 * batches are larger (about 390 events in the benchmark) and all go to it; with Cassandra on the
 * same two cores the main thread is the slower one, reads stay small while the worker waits, and
 * classifying them here cost about a tenth less CPU an event (README, Performance).
 */
export const INLINE_MAX_EVENTS = 64;

/**
 * JSON.parse is over half of ingest's CPU; on a worker it runs beside the socket reads and SSE
 * parsing instead of after them. One worker answers in order, so a FIFO of resolvers pairs answers
 * with batches; a batch is only classified here while that FIFO is empty, so order holds.
 */
export class Classifier {
  private worker: Worker | undefined;
  private failed = false;
  private readonly inFlight: { payloads: string[]; resolve: (verdicts: BatchVerdicts) => void }[] = [];

  constructor(
    private readonly onWorkerError: (error: unknown) => void,
    private readonly workerUrl?: string,
  ) {}

  classify(payloads: string[]): Promise<BatchVerdicts> {
    if (this.failed || (payloads.length <= INLINE_MAX_EVENTS && this.inFlight.length === 0)) return Promise.resolve(classifyBatch(payloads));
    const worker = (this.worker ??= this.start());
    return new Promise((resolve) => {
      this.inFlight.push({ payloads, resolve });
      worker.postMessage(payloads);
    });
  }

  /** Ends the worker; batches still in flight are classified here, so none is lost. */
  close(): void {
    this.stopWorker();
    this.drainInline();
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
