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
 * JSON.parse is over half of ingest's CPU; on a worker it runs beside the socket reads and SSE
 * parsing instead of after them. One worker answers in order, so a FIFO of resolvers pairs answers
 * with batches.
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
    if (this.failed) return Promise.resolve(classifyBatch(payloads));
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
