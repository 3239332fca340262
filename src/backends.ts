// Chooses the store and user directory named by `storage`.
import { MemoryUsers } from "./auth/users.ts";
import type { Config } from "./config/index.ts";
import type { Logger } from "./log/logger.ts";
import type { Backends } from "./service.ts";
import { MemoryStore } from "./store/memory-store.ts";

export function createBackends(config: Config, _log: Logger): Backends {
  switch (config.storage) {
    case "in-memory":
      return { store: new MemoryStore(), users: new MemoryUsers() };
    case "cassandra":
      throw new Error("cassandra storage is not implemented yet");
  }
}
