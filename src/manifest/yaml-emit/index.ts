/** go-yaml v2 compatible YAML output (what `bosh int` prints and bosh-cli hashes). */
export { marshalYaml } from "./marshal.js";
export { FieldOrder } from "./field-order.js";
