// The HTTP app on its own (no service, no stream), for tests that drive it with app.handle or listen on port 0.
import { MemoryUsers } from "../../src/auth/users.ts";
import { type AppOptions, createApp } from "../../src/http/app.ts";
import { createLogger } from "../../src/log/logger.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { emptyIngestCounters, idleStatus } from "../../src/stream/index.ts";
import { TEST_SECRET } from "./service.ts";

/**
 * createApp with test defaults (an empty in-memory store and user directory, an idle stream, quiet
 * logs, the test secret); a test passes what it looks at, e.g. the store it fills or a log it reads.
 */
export function testApp(overrides: Partial<AppOptions> = {}): ReturnType<typeof createApp> {
  return createApp({
    jwtSecret: TEST_SECRET,
    tokenTtlSeconds: 60,
    loginMaxFailures: 5,
    loginWindowSeconds: 60,
    store: new MemoryStore(),
    users: new MemoryUsers(),
    stream: () => idleStatus("test"),
    ingest: emptyIngestCounters(),
    log: createLogger("error"),
    ...overrides,
  });
}
