// Worker thread entry: classifies batches of `message` payloads (JSON.parse is most of ingest's CPU).
// Built into the binary as a second entry point (see package.json's build script).
import { classifyBatch } from "../stats/classify.ts";

declare const self: Worker;

self.onmessage = (message: MessageEvent<string[]>) => {
  const verdicts = classifyBatch(message.data);
  self.postMessage(verdicts, [verdicts.kinds.buffer as ArrayBuffer, verdicts.timesMs.buffer as ArrayBuffer]);
};
