// Entry point of the wikitally binary: parse arguments, load config, run until a signal.
import { parseArgs, USAGE, UsageError, type Command } from "./cli/args.ts";
import { ConfigError, loadConfig, type Config } from "./config/index.ts";
import { createLogger } from "./log/logger.ts";
import { createBackends } from "./backends.ts";
import { ListenError } from "./http/listen.ts";
import { startService, type RunningService } from "./service.ts";
import { SERVICE_NAME, VERSION } from "./version.ts";

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${SERVICE_NAME}: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.kind === "help") return print(USAGE);
  if (command.kind === "version") return print(`${SERVICE_NAME} ${VERSION}`);

  let config: Config;
  try {
    config = loadConfig({ file: command.configFile });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 1;
  }
  if (command.kind === "healthcheck") return healthcheck(command.url ?? `http://127.0.0.1:${config.port}`);
  return serve(config);
}

async function serve(config: Config): Promise<number> {
  const log = createLogger(config.log_level);
  let service: RunningService;
  try {
    service = await startService(config, log, createBackends);
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    log.error(error.message, { host: error.host, port: error.port });
    return 1;
  }
  const { promise: signalled, resolve } = Promise.withResolvers<NodeJS.Signals>();
  process.once("SIGINT", () => resolve("SIGINT"));
  process.once("SIGTERM", () => resolve("SIGTERM"));
  const signal = await signalled;
  log.info("shutting down", { signal });
  const deadline = setTimeout(() => {
    log.error("shutdown took too long; exiting", { deadline_ms: SHUTDOWN_DEADLINE_MS });
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  await service.stop();
  clearTimeout(deadline);
  return 0;
}

async function healthcheck(base: string): Promise<number> {
  try {
    const response = await fetch(new URL("/status", base), { signal: AbortSignal.timeout(3000) });
    return response.ok ? 0 : 1;
  } catch {
    return 1;
  }
}

function print(text: string): number {
  console.log(text);
  return 0;
}

// Exit explicitly: the service's timers and sockets are closed, but a driver may keep handles open.
process.exit(await main(process.argv.slice(2)));
