/**
 * YAML in and out. Parsing failures name the file, line and column (YAML_INVALID); output is
 * shaped like `bosh int` prints it (yaml.v2: map keys sorted, no line folding).
 */
import yaml from "js-yaml";
import { BootstrapError } from "../common/index.js";

export function parseYaml(text: string, file: string): unknown {
  try {
    return yaml.load(text, { filename: file });
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
  return yaml.dump(value, { sortKeys: true, lineWidth: -1, noRefs: true });
}
