/** Dispatch by variable type: only the four types bosh-cli's vars store knows exist. */
import { generateCertificate, type CaLoader } from "./certificate.js";
import { generatePassword, generateRsa, generateSsh } from "./simple-generators.js";
import { GenerationError } from "./options.js";

export { GenerationError } from "./options.js";
export type { CaLoader, CertificateValue } from "./certificate.js";

export async function generateValue(type: string, options: unknown, loadCa: CaLoader): Promise<unknown> {
  switch (type) {
    case "password":
      return generatePassword(options);
    case "rsa":
      return generateRsa();
    case "ssh":
      return generateSsh();
    case "certificate":
      return generateCertificate(options, loadCa);
    default:
      throw new GenerationError(`Unsupported value type: ${type}`);
  }
}
