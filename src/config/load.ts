// Reads config.json, applies environment overrides, validates once and freezes the result.
import { Kind, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { existsSync, readFileSync } from "node:fs";
import { ConfigError } from "./errors.ts";
import { ConfigSchema, SECRET_KEYS, type Config, type RawConfig } from "./schema.ts";

const DEFAULT_CONFIG_FILE = "./config.json";
export const CONFIG_KEYS: readonly string[] = Object.keys(ConfigSchema.properties);

interface LoadOptions {
  /** Explicit config path (--config or CONFIG_FILE). A missing explicit file is an error. */
  file?: string | undefined;
  env?: Record<string, string | undefined>;
}

/** The environment variable that overrides a key: the key in upper case. */
export const envName = (key: string): string => key.toUpperCase();

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const explicit = options.file ?? nonEmpty(env.CONFIG_FILE);
  const file = explicit ?? DEFAULT_CONFIG_FILE;
  const raw: Record<string, unknown> = explicit !== undefined || existsSync(file) ? readJsonObject(file) : {};
  const origin: Record<string, string> = {};
  for (const key of Object.keys(raw)) {
    if (!(key in ConfigSchema.properties)) {
      throw new ConfigError(`config: unknown key "${key}" in ${file}; known keys: ${CONFIG_KEYS.join(", ")}`, key);
    }
    origin[key] = file;
  }
  for (const key of CONFIG_KEYS) {
    const value = nonEmpty(env[envName(key)]);
    if (value === undefined) continue;
    raw[key] = coerce(propertySchema(key), value);
    origin[key] = `env ${envName(key)}`;
  }
  // A numeric string port is a number for range checking ("70000" must fail like 70000).
  if (typeof raw.port === "string" && /^[0-9]+$/.test(raw.port)) raw.port = Number(raw.port);
  const withDefaults = Value.Default(ConfigSchema, raw) as Record<string, unknown>;
  const error = Value.Errors(ConfigSchema, withDefaults).First();
  if (error) {
    const key = error.path.split("/")[1] ?? "";
    throw invalid(key, withDefaults[key], origin[key], describe(propertySchema(key)));
  }
  const config = withDefaults as RawConfig;
  checkRelations(config, origin);
  return Object.freeze({ ...config, port: Number(config.port) });
}

function checkRelations(config: RawConfig, origin: Record<string, string>): void {
  if (config.reconnect_max_ms < config.reconnect_min_ms) {
    throw invalid(
      "reconnect_max_ms",
      config.reconnect_max_ms,
      origin.reconnect_max_ms,
      `a number >= reconnect_min_ms (${config.reconnect_min_ms})`,
    );
  }
  if (!config.ingest && config.storage !== "cassandra") {
    throw invalid(
      "ingest",
      config.ingest,
      origin.ingest,
      'true unless storage is "cassandra" (an in-memory instance that does not ingest has nothing to serve)',
    );
  }
  if (config.lease_renew_ms > config.lease_ttl_ms / 4 - 500) {
    throw invalid(
      "lease_renew_ms",
      config.lease_renew_ms,
      origin.lease_renew_ms,
      `at most lease_ttl_ms / 4 - 500 (${config.lease_ttl_ms / 4 - 500}), so a flush always fits in the lease (see src/lease/README.md)`,
    );
  }
  if (config.jwt_secret !== undefined && Buffer.byteLength(config.jwt_secret) < 32) {
    throw invalid("jwt_secret", config.jwt_secret, origin.jwt_secret, "at least 32 bytes");
  }
  if (!/^https?:\/\//i.test(config.stream_url)) {
    const path = config.stream_url.startsWith("file:") ? safeFilePath(config.stream_url) : config.stream_url;
    if (path === undefined || !existsSync(path)) {
      throw invalid(
        "stream_url",
        config.stream_url,
        origin.stream_url,
        "an http(s) URL, or the path or file: URL of an existing SSE capture",
      );
    }
  }
}

function invalid(key: string, value: unknown, from: string | undefined, expected: string): ConfigError {
  const shown = SECRET_KEYS.has(key) && value !== undefined ? '"***"' : JSON.stringify(value);
  const source = from ? ` (from ${from})` : "";
  return new ConfigError(`config: invalid ${key} = ${shown}${source}: expected ${expected}`, key);
}

function readJsonObject(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new ConfigError(`config: cannot read config file ${file}: ${(cause as Error).message}`, undefined, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    // The parser quotes the offending token, which may be an unquoted secret: leave it out.
    const detail = (cause as Error).message.replace(/"[^"]*"/g, "<token>");
    throw new ConfigError(`config: ${file} is not valid JSON: ${detail}`, undefined, { cause });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config: ${file} must hold a JSON object`, undefined);
  }
  return parsed as Record<string, unknown>;
}

function propertySchema(key: string): TSchema {
  return (ConfigSchema.properties as Record<string, TSchema>)[key] ?? ConfigSchema;
}

/** Environment values are strings; integer keys get numbers and list keys arrays, so the schema judges those. */
function coerce(schema: TSchema, value: string): unknown {
  const text = value.trim();
  if (schema[Kind] === "Integer" && /^-?[0-9]+$/.test(text)) return Number(text);
  if (schema[Kind] === "Boolean" && /^(true|false)$/i.test(text)) return text.toLowerCase() === "true";
  if (schema[Kind] === "Array")
    return text
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
  return value;
}

/** Says what a key accepts, in words, from its schema. */
export function describe(schema: TSchema): string {
  if (typeof schema.expected === "string") return schema.expected;
  switch (schema[Kind]) {
    case "Integer": {
      const min = schema.minimum as number | undefined;
      const max = schema.maximum as number | undefined;
      if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
      return min !== undefined ? `an integer >= ${min}` : "an integer";
    }
    case "String": {
      if (schema.pattern) return `a string matching ${schema.pattern}`;
      const parts = [schema.minLength && `at least ${schema.minLength}`, schema.maxLength && `at most ${schema.maxLength}`];
      const bounds = parts.filter(Boolean).join(" and ");
      return bounds ? `a string of ${bounds} characters` : "a string";
    }
    case "Boolean":
      return "true or false";
    case "Literal":
      return JSON.stringify(schema.const);
    case "Union": {
      const options = (schema.anyOf as TSchema[]).map(describe);
      return (schema.anyOf as TSchema[]).every((s) => s[Kind] === "Literal") ? `one of ${options.join(", ")}` : options.join(" or ");
    }
    default:
      return "a valid value";
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

function safeFilePath(url: string): string | undefined {
  try {
    return Bun.fileURLToPath(url);
  } catch {
    return undefined;
  }
}
