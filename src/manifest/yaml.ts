/**
 * YAML in and out. Parsing failures name the file, line and column (YAML_INVALID); output is
 * byte for byte what bosh-cli's yaml.v2 Marshal writes (see yaml-emit/), so `interpolate`
 * prints what `bosh int` prints and the manifest SHA and vars store match bosh-cli's.
 *
 * Manifests are read the way bosh-cli's yaml.v2 reads them (YAML 1.1 scalars): `yes`/`no`/`on`/
 * `off`/`y`/`n` are booleans, `0644` is octal, and timestamps stay strings. Strings that would
 * read back as something else are quoted on output, so a vars store stays readable by bosh-cli.
 * js-yaml only reads (through common's loadBoundedYaml, so an alias bomb is refused with
 * YAML_TOO_LARGE); it never writes.
 */
import yaml from "js-yaml";
import { BootstrapError, loadBoundedYaml } from "../common/index.js";
import { marshalYaml } from "./yaml-emit/index.js";

const TRUE = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"];
const FALSE = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];

const yaml11Bool = new yaml.Type("tag:yaml.org,2002:bool", {
  kind: "scalar",
  resolve: (data: string) => TRUE.includes(data) || FALSE.includes(data),
  construct: (data: string) => TRUE.includes(data),
});

// js-yaml exports its built-in types at run time; @types/js-yaml does not declare them.
const types = (yaml as unknown as { types: Record<"null" | "int" | "float" | "merge" | "binary" | "omap" | "pairs" | "set", yaml.Type> }).types;
const LEGACY_OCTAL = /^[-+]?0[0-7]+$/;
const coreInt = types.int;
const coreFloat = types.float;

/** yaml.v2 drops every `_` from a scalar that starts with a digit or sign before reading it as a number (`4_096` is 4096). */
const withoutUnderscores = (data: string): string => (data.includes("_") && /^[-+0-9]/.test(data) ? data.replaceAll("_", "") : data);

// One int type (a schema keeps one type per tag): YAML 1.1 `0644` is octal, the rest as js-yaml reads it.
const yaml11Int = new yaml.Type("tag:yaml.org,2002:int", {
  kind: "scalar",
  resolve: (data: string) => {
    const digits = withoutUnderscores(data);
    return LEGACY_OCTAL.test(digits) || coreInt.resolve(digits);
  },
  construct: (data: string) => {
    const digits = withoutUnderscores(data);
    return LEGACY_OCTAL.test(digits) ? Number.parseInt(digits, 8) : coreInt.construct(digits);
  },
});

/** A signed float without digits before the point (`-.5`): yaml.v2 reads it, js-yaml's float does not. */
const SIGNED_POINT_FLOAT = /^[-+]\.[0-9]+([eE][-+]?[0-9]+)?$/;

const yaml11Float = new yaml.Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (data: string) => {
    const text = withoutUnderscores(data);
    return SIGNED_POINT_FLOAT.test(text) || coreFloat.resolve(text);
  },
  construct: (data: string) => {
    const text = withoutUnderscores(data);
    return SIGNED_POINT_FLOAT.test(text) ? Number(text) : coreFloat.construct(text);
  },
});

const SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [types.null, yaml11Bool, yaml11Int, yaml11Float, types.merge],
  explicit: [types.binary, types.omap, types.pairs, types.set],
});

/** `tooLargeHint` replaces the generic hint of YAML_TOO_LARGE (e.g. for a file inside a tarball). */
export function parseYaml(text: string, file: string, tooLargeHint?: string): unknown {
  try {
    return loadBoundedYaml(text, file, { schema: SCHEMA, hint: tooLargeHint });
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      const mark = error.mark;
      const where = mark === undefined ? file : `${file}:${mark.line + 1}:${mark.column + 1}`;
      throw new BootstrapError("YAML_INVALID", `${where}: invalid YAML: ${error.reason}`, {
        hint: `Fix the YAML syntax at line ${mark === undefined ? "?" : mark.line + 1}, column ${mark === undefined ? "?" : mark.column + 1} of ${file}.`,
        cause: error,
      });
    }
    throw error;
  }
}

export function dumpYaml(value: unknown): string {
  return marshalYaml(value);
}

/**
 * A YAML value from a flag or environment variable, named `source` in a YAML_TOO_LARGE error
 * (same YAML 1.1 reading; js-yaml errors pass through for the caller to word).
 */
export function loadYamlValue(text: string, source: string): unknown {
  return loadBoundedYaml(text, source, { schema: SCHEMA });
}
