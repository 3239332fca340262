// db/init.cql, embedded in the binary and adapted to the configured keyspace and replication.
import initCql from "../../../db/init.cql" with { type: "text" };

interface SchemaOptions {
  keyspace: string;
  /** "SimpleStrategy:1" or "NetworkTopologyStrategy:3". */
  replication: string;
  datacenter: string;
}

/** The statements of db/init.cql, comments removed, for the given keyspace and replication. */
export function schemaStatements(options: SchemaOptions): string[] {
  const [strategy, factor] = options.replication.split(":") as [string, string];
  const replication =
    strategy === "NetworkTopologyStrategy"
      ? `{'class': 'NetworkTopologyStrategy', '${options.datacenter}': ${factor}}`
      : `{'class': 'SimpleStrategy', 'replication_factor': ${factor}}`;
  return initCql
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n")
    .split(";")
    .map((statement) => statement.trim())
    .filter((statement) => statement !== "")
    .map((statement) =>
      statement.replace(/\bgoanalytics\b/g, options.keyspace).replace(/replication\s*=\s*\{[^}]*\}/, `replication = ${replication}`),
    );
}
