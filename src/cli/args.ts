// Command-line parsing for the wikitally binary.

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

export function parseArgs(argv: readonly string[]): Command {
  let configFile: string | undefined;
  let url: string | undefined;
  let sub: "serve" | "healthcheck" | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    if (arg === "--version" || arg === "-v") return { kind: "version" };
    const [flag, inline] = arg.startsWith("--") ? splitFlag(arg) : [arg, undefined];
    if (flag === "--config" || flag === "--url") {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") throw new UsageError(`${flag} needs a value`);
      if (flag === "--config") configFile = value;
      else url = value;
    } else if ((arg === "serve" || arg === "healthcheck") && sub === undefined) {
      sub = arg;
    } else {
      throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  if (url !== undefined && sub !== "healthcheck") throw new UsageError("--url is only for healthcheck");
  return sub === "healthcheck" ? { kind: "healthcheck", configFile, url } : { kind: "serve", configFile };
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
