// Public surface of the configuration module.
export { ConfigError } from "./errors.ts";
export { CONFIG_KEYS, envName, loadConfig } from "./load.ts";
export { SHIPPED_ADMIN_PASSWORD, type Config } from "./schema.ts";
