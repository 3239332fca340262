// prom-client ships no typings for its default metrics' modules, which default-metrics.ts registers one by one.
declare module "prom-client/lib/metrics/*.js" {
  const register: (registry: import("prom-client").Registry, config: { eventLoopMonitoringPrecision?: number }) => void;
  export default register;
}
