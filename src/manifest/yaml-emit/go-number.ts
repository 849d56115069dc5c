/**
 * Numbers as go-yaml v2 prints them: ints in decimal, floats as Go's strconv.FormatFloat(x, 'g',
 * -1, 64) (shortest digits; exponent form below 1e-4 and from 1e6 on, e.g. `1e+06`), and
 * `.inf`/`-.inf`/`.nan`. A JavaScript number does not say whether YAML wrote it as an int or a
 * float; an integral value that fits int64 is printed as an int (so `1000000.0` in a manifest
 * prints as `1000000` where bosh prints `1e+06`).
 */
const INT64_LIMIT = 2 ** 63;

export function formatGoNumber(value: number): string {
  if (Number.isNaN(value)) return ".nan";
  if (value === Infinity) return ".inf";
  if (value === -Infinity) return "-.inf";
  if (Number.isInteger(value) && Math.abs(value) < INT64_LIMIT) return BigInt(value).toString();
  return formatGoFloat(value);
}

function formatGoFloat(value: number): string {
  // toExponential() without an argument gives the shortest digits that read back the same, as Go's -1 precision does.
  const [mantissa = "", exponentText = "0"] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  const sign = value < 0 ? "-" : "";
  if (exponent < -4 || exponent >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const magnitude = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${digits[0] ?? ""}${fraction}e${exponent < 0 ? "-" : "+"}${magnitude}`;
  }
  const point = exponent + 1;
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
