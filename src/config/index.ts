// Public surface of the configuration module.
export { ConfigError } from "./errors.ts";
export { CONFIG_KEYS, describe, envName, loadConfig } from "./load.ts";
export { ConfigSchema, DEFAULT_USER_AGENT, SECRET_KEYS, SHIPPED_ADMIN_PASSWORD, type Config } from "./schema.ts";
