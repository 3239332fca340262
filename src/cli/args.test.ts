import { describe, expect, it } from "bun:test";
import { parseArgs, USAGE, UsageError, type Command } from "./args.ts";

describe("parseArgs", () => {
  it.each<[string, string[], Command]>([
    ["no arguments", [], { kind: "serve", configFile: undefined }],
    ["serve", ["serve"], { kind: "serve", configFile: undefined }],
    ["--config PATH", ["--config", "/etc/wikitally.json"], { kind: "serve", configFile: "/etc/wikitally.json" }],
    ["--config=PATH", ["--config=/etc/wikitally.json"], { kind: "serve", configFile: "/etc/wikitally.json" }],
    ["--config=PATH holding '='", ["--config=/tmp/a=b.json"], { kind: "serve", configFile: "/tmp/a=b.json" }],
    ["serve --config PATH", ["serve", "--config", "c.json"], { kind: "serve", configFile: "c.json" }],
    ["--config PATH serve", ["--config", "c.json", "serve"], { kind: "serve", configFile: "c.json" }],
    ["the last of two --config", ["--config", "a.json", "--config", "b.json"], { kind: "serve", configFile: "b.json" }],
    ["a config path that starts with a dash", ["--config", "-weird.json"], { kind: "serve", configFile: "-weird.json" }],
    ["healthcheck", ["healthcheck"], { kind: "healthcheck", configFile: undefined, url: undefined }],
    [
      "healthcheck --url URL",
      ["healthcheck", "--url", "http://10.0.0.5:7000"],
      { kind: "healthcheck", configFile: undefined, url: "http://10.0.0.5:7000" },
    ],
    [
      "--url=URL before healthcheck",
      ["--url=http://h:1", "healthcheck"],
      { kind: "healthcheck", configFile: undefined, url: "http://h:1" },
    ],
    [
      "healthcheck --config PATH --url URL",
      ["healthcheck", "--config", "c.json", "--url", "http://h:1"],
      { kind: "healthcheck", configFile: "c.json", url: "http://h:1" },
    ],
    ["--help", ["--help"], { kind: "help" }],
    ["-h", ["-h"], { kind: "help" }],
    ["--version", ["--version"], { kind: "version" }],
    ["-v", ["-v"], { kind: "version" }],
    ["--help after a command", ["healthcheck", "--help"], { kind: "help" }],
    ["--help before a bad argument", ["--help", "--nonsense"], { kind: "help" }],
  ])("parses %s", (_name, argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each<[string, string[], RegExp]>([
    ["an unknown flag", ["--port", "7000"], /unknown argument: --port/],
    ["an unknown command", ["start"], /unknown argument: start/],
    ["a second command", ["serve", "healthcheck"], /unknown argument: healthcheck/],
    ["the same command twice", ["serve", "serve"], /unknown argument: serve/],
    ["--config without a value", ["--config"], /--config needs a value/],
    ["--config= with an empty value", ["--config="], /--config needs a value/],
    ["--url without a value", ["healthcheck", "--url"], /--url needs a value/],
    ["--url without healthcheck", ["--url", "http://h:1"], /--url is only for healthcheck/],
    ["--url with serve", ["serve", "--url", "http://h:1"], /--url is only for healthcheck/],
    ["a single-dash long flag", ["-config", "c.json"], /unknown argument: -config/],
    ["a value flag for a flag without one", ["--help=yes"], /unknown argument: --help=yes/],
  ])("rejects %s with a UsageError", (_name, argv, message) => {
    let thrown: unknown;
    try {
      parseArgs(argv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).name).toBe("UsageError");
    expect((thrown as UsageError).message).toMatch(message);
  });

  it("documents every command and flag in the usage text", () => {
    for (const word of ["serve", "healthcheck", "--config", "--url", "--help", "--version", "CONFIG_FILE"]) {
      expect(USAGE).toContain(word);
    }
  });
});
