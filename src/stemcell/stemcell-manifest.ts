/**
 * stemcell.MF as data (pure). The version is read with YAML's failsafe schema so `3586.100`
 * stays a string; everything else with the default schema so cloud_properties keep their types.
 * A missing api_version means 1, as bosh reads it.
 */
import yaml from "js-yaml";
import { BootstrapError, isRecord, loadBoundedYaml, messageOf } from "../common/index.js";

const DAMAGED = "The stemcell tarball is damaged; download or build it again.";

export interface StemcellSummary {
  name: string;
  version: string;
  operatingSystem: string;
  apiVersion: number;
  cloudProperties: Record<string, unknown>;
  stemcellFormats: string[];
}

export function parseStemcellManifest(text: string, where: string): StemcellSummary {
  let typed: unknown;
  let strings: unknown;
  try {
    typed = loadBoundedYaml(text, where, { hint: DAMAGED });
    strings = loadBoundedYaml(text, where, { schema: yaml.FAILSAFE_SCHEMA, hint: DAMAGED });
  } catch (error) {
    if (error instanceof BootstrapError) throw error; // YAML_TOO_LARGE
    throw new BootstrapError("STEMCELL_INVALID", `${where} is not valid YAML: ${messageOf(error)}`, {
      hint: DAMAGED,
    });
  }
  if (!isRecord(typed) || !isRecord(strings)) throw invalid(where, ["the document must be a map"]);
  const problems: string[] = [];
  const str = (key: string): string => {
    const v = strings[key];
    if (typeof v === "string" && v !== "") return v;
    problems.push(`${key} must be a non-empty string`);
    return "";
  };
  const name = str("name");
  const version = str("version");
  const operatingSystem = str("operating_system");
  const rawApi = typed["api_version"];
  let apiVersion = 1;
  if (rawApi !== undefined && rawApi !== null) {
    if (typeof rawApi === "number" && Number.isInteger(rawApi) && rawApi >= 0) apiVersion = rawApi === 0 ? 1 : rawApi;
    else problems.push("api_version must be a whole number");
  }
  const rawCloud = typed["cloud_properties"] ?? {};
  if (!isRecord(rawCloud)) problems.push("cloud_properties must be a map");
  const rawFormats = typed["stemcell_formats"] ?? [];
  const stemcellFormats = Array.isArray(rawFormats) ? rawFormats.map(String) : [];
  if (!Array.isArray(rawFormats)) problems.push("stemcell_formats must be a list");
  if (problems.length > 0) throw invalid(where, problems);
  return { name, version, operatingSystem, apiVersion, cloudProperties: isRecord(rawCloud) ? rawCloud : {}, stemcellFormats };
}

function invalid(where: string, problems: string[]): BootstrapError {
  return new BootstrapError("STEMCELL_INVALID", `${where} is invalid`, {
    details: problems,
    hint: "The stemcell tarball does not follow the BOSH stemcell format; use a published stemcell or rebuild it.",
  });
}
