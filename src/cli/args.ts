// Command-line parsing for the wikitally binary.
import { parseArgs as parseTokens } from "node:util";

export type Command =
  | { kind: "serve"; configFile: string | undefined }
  | { kind: "healthcheck"; configFile: string | undefined; url: string | undefined }
  | { kind: "help" }
  | { kind: "version" };

export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `Usage: wikitally [serve] [--config PATH]
       wikitally healthcheck [--config PATH] [--url URL]
       wikitally --help | --version

Counts Wikimedia's recentchange stream and serves the totals over HTTP.

  serve         run the service (the default)
  healthcheck   exit 0 when the local service answers GET /status, 1 otherwise
  --config PATH configuration file (default: $CONFIG_FILE, else ./config.json)
  --url URL     healthcheck this base URL instead of http://127.0.0.1:<port>

Every configuration key can be overridden by an environment variable of the
same name in upper case (PORT, STORAGE, JWT_SECRET, ...). See README.md.`;

const OPTIONS = {
  config: { type: "string" },
  url: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/**
 * node:util's parseArgs splits the arguments into tokens; they are read here in order, not in its
 * strict mode, so that --help and --version win over anything after them and every mistake gets
 * the one-line message main prints above the usage.
 */
export function parseArgs(argv: readonly string[]): Command {
  let configFile: string | undefined;
  let url: string | undefined;
  let sub: "serve" | "healthcheck" | undefined;
  const { tokens } = parseTokens({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    const arg = argv[token.index]!;
    if (token.kind === "positional") {
      if ((arg === "serve" || arg === "healthcheck") && sub === undefined) sub = arg;
      else throw new UsageError(`unknown argument: ${arg}`);
      continue;
    }
    // A group of short flags (-hv, -config), a value given to a switch, "--" and unknown flags are all mistakes.
    if (token.kind !== "option" || !Object.hasOwn(OPTIONS, token.name) || (token.rawName.length === 2 && arg !== token.rawName)) {
      throw new UsageError(`unknown argument: ${arg}`);
    }
    if (token.name === "help" || token.name === "version") {
      if (token.value !== undefined) throw new UsageError(`unknown argument: ${arg}`);
      return { kind: token.name };
    }
    if (token.value === undefined || token.value === "") throw new UsageError(`${token.rawName} needs a value`);
    if (token.name === "config") configFile = token.value;
    else url = token.value;
  }
  if (url !== undefined && sub !== "healthcheck") throw new UsageError("--url is only for healthcheck");
  return sub === "healthcheck" ? { kind: "healthcheck", configFile, url } : { kind: "serve", configFile };
}
