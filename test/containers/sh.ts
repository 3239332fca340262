// Host commands for containers:prepare and the container test: output is kept and shown only when a command fails.
import { appendFileSync } from "node:fs";

interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Bytes piped to the command's standard input. */
  input?: Uint8Array | string;
  /** Show the output as it comes, for long steps a person watches. */
  inherit?: boolean;
  /** Also append the output here (e.g. a build log under .cache/). */
  log?: string;
  timeoutMs?: number;
}

class CommandError extends Error {
  override name = "CommandError";
  constructor(
    readonly command: string[],
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    const tail = output.trimEnd().split("\n").slice(-40).join("\n");
    super(`\`${command.join(" ")}\` exited with ${exitCode ?? "a signal"}${tail ? `; last lines:\n${tail}` : ""}`);
  }
}

/** Runs a command, returns its standard output; throws CommandError (with the output's tail) unless it exits 0. */
export async function run(command: string[], options: RunOptions = {}): Promise<string> {
  const { exitCode, stdout, output } = await attempt(command, options);
  if (exitCode !== 0) throw new CommandError(command, exitCode, output);
  return stdout;
}

/** Runs a command and reports how it ended, without throwing. */
export async function attempt(
  command: string[],
  options: RunOptions = {},
): Promise<{ exitCode: number | null; stdout: string; output: string }> {
  let child: ReturnType<typeof Bun.spawn> | undefined;
  try {
    child = Bun.spawn(command, {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: { ...process.env, ...options.env },
      stdin: options.input === undefined ? "ignore" : new Blob([options.input]),
      stdout: options.inherit ? "inherit" : "pipe",
      stderr: options.inherit ? "inherit" : "pipe",
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    });
  } catch (error) {
    // A missing executable: report it like a failed command, so callers need only one path.
    return { exitCode: 127, stdout: "", output: (error as Error).message };
  }
  const [stdout, stderr, exitCode] = await Promise.all([
    child.stdout instanceof ReadableStream ? new Response(child.stdout).text() : "",
    child.stderr instanceof ReadableStream ? new Response(child.stderr).text() : "",
    child.exited,
  ]);
  const output = stdout + stderr;
  if (options.log) appendFileSync(options.log, `$ ${command.join(" ")}\n${output}`);
  return { exitCode: child.signalCode ? null : exitCode, stdout, output };
}

/** True if the command exits 0. */
export async function succeeds(command: string[], options: RunOptions = {}): Promise<boolean> {
  return (await attempt(command, options)).exitCode === 0;
}

/** Seconds since `start` (a performance.now() value), for progress lines. */
export function seconds(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}
