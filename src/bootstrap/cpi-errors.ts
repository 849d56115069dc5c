/**
 * Reads CPI error kinds off whatever the CPI runner throws, by its documented fields, so the
 * orchestration can tolerate not-found on delete and NotImplemented on metadata as bosh-cli does.
 */
const NOT_FOUND = new Set(["Bosh::Clouds::VMNotFound", "Bosh::Clouds::DiskNotFound", "Bosh::Clouds::StemcellNotFound"]);

function cpiTypeOf(error: unknown): string | undefined {
  if (error !== null && typeof error === "object" && "cpiType" in error) {
    const t = (error as { cpiType: unknown }).cpiType;
    return typeof t === "string" ? t : undefined;
  }
  return undefined;
}

export function isNotFound(error: unknown): boolean {
  const t = cpiTypeOf(error);
  return t !== undefined && NOT_FOUND.has(t);
}

export function isNotImplemented(error: unknown): boolean {
  const t = cpiTypeOf(error);
  if (t === "Bosh::Clouds::NotImplemented") return true;
  const message = error instanceof Error ? error.message : "";
  return (t === "Bosh::Clouds::CloudError" && message.includes("Invalid Method:")) || (t === "InvalidCall" && message.includes("Method is not known"));
}
