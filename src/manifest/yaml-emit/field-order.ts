/**
 * A map written with its keys in insertion order instead of sorted. bosh-cli marshals a value
 * it has just generated as a Go struct (fields in declaration order: a certificate is
 * `certificate`, `private_key`, `ca`), while values it read back from the vars store are maps
 * (sorted keys); the vars store marks its newest value this way to write the same bytes.
 */
export class FieldOrder {
  constructor(readonly fields: Readonly<Record<string, unknown>>) {}
}
