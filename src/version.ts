// The service's name and version, read from package.json at build time so the binary carries them.
import pkg from "../package.json" with { type: "json" };

export const SERVICE_NAME = "wikitally";
export const VERSION: string = pkg.version;
export const PROJECT_URL = "https://github.com/wikitally/wikitally";
