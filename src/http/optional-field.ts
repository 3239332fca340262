// Optional fields of JSON answers: present with a value, or absent, never `undefined`.

/** `{ [key]: value }`, or `{}` when there is no value: to spread into an answer. */
export function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
