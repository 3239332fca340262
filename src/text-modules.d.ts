// Bun imports *.cql files as text (`with { type: "text" }`), which embeds them in the binary.
declare module "*.cql" {
  const text: string;
  export default text;
}
