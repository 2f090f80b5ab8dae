// JSONOf<T> is T as it can be written in JSON: Grafana's types use
// TypeScript enums for some string fields (FieldColorModeId, ThresholdsMode,
// MappingType, ...), and a JSON string such as "absolute" is not assignable to
// an enum type. JSONOf replaces each such type by the union of its values
// ("absolute" | "percentage") and leaves everything else as it is, so unknown
// keys, missing required keys, wrong types and misspelt enum values are still
// errors.
export type JSONOf<T> = T extends string
  ? `${T}`
  : T extends ReadonlyArray<infer U>
    ? Array<JSONOf<U>>
    : T extends object
      ? { [K in keyof T]: JSONOf<T[K]> }
      : T;
