// Preloaded into a service child (bun --preload) by steady-cpu: every batch goes to the classifier
// worker, however small, as if the inline path did not exist. The service has no switch for it; this
// measures what the inline path saves at the live pace. Only for measurements, never for the service.
import { Classifier } from "../../src/stream/classifier.ts";

// takeInline is private in the type, a plain prototype method at run time: the one decision to flip.
Object.defineProperty(Classifier.prototype, "takeInline", { value: () => false });
