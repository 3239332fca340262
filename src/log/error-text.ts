// How an error reads in a log line or a health report: its first line only, never a stack.

/** The first line of `text`, trimmed: driver and parser messages can run to many lines. */
export function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return (end === -1 ? text : text.slice(0, end)).trim();
}

/** The first line of an error's message, or of whatever was thrown. */
export function errorText(error: unknown): string {
  return firstLine(error instanceof Error ? error.message : String(error));
}
