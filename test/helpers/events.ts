// ChangeEvents for tests that count events without caring when they happened or on which page.
import type { ChangeEvent } from "../../src/stats/types.ts";

/** A fixed event time, so that such tests never depend on the clock. */
export const TEST_EVENT_MS = Date.UTC(2025, 4, 3, 7, 46, 19);

/** The counted fields a test names, at TEST_EVENT_MS and on no page unless it names those too. */
export function changeEvent(fields: Pick<ChangeEvent, "user" | "bot" | "serverUrl"> & Partial<ChangeEvent>): ChangeEvent {
  return { timeMs: TEST_EVENT_MS, page: undefined, ...fields };
}
