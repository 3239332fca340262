// Raised when configuration cannot be used; main prints its message as one line and exits 1.
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    message: string,
    readonly key: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
