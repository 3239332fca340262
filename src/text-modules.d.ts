// Bun imports these files as text (`with { type: "text" }`) or as an embedded file's path
// (`with { type: "file" }`); both embed them in the binary.
declare module "*.cql" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const textOrPath: string;
  export default textOrPath;
}
declare module "uplot/dist/uPlot.iife.min.js" {
  const path: string;
  export default path;
}
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const path: string;
  export default path;
}
