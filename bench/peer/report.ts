/**
 * The benchmark's table: medians of each tool's runs per case and their ratio (bootstrap / bosh);
 * ratios are the figures to compare, as absolute times depend on the machine and its load.
 */
export interface CaseResult {
  label: string;
  unit: "ms" | "MB" | "%";
  bootstrap: number[];
  bosh: number[];
  /** Issue 13's goal for the ratio, where it sets one. */
  goal?: string;
  /** Also show each tool's largest figure (a peak that varies from run to run with the GC's timing). */
  showMax?: boolean;
}

export interface SingleResult {
  label: string;
  ms: number[];
  goal: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function table(cases: CaseResult[], singles: SingleResult[]): string {
  const rows = [
    "| case | bootstrap | bosh create-env | ratio | goal |",
    "|---|---|---|---|---|",
    ...cases.map((c) => {
      const ours = median(c.bootstrap);
      const cell = (values: number[]) => format(median(values), c.unit) + (c.showMax === true && values.length > 1 ? ` (max ${format(Math.max(...values), c.unit)})` : "");
      // A figure only bootstrap has (its own time) leaves bosh's column and the ratio empty.
      if (c.bosh.length === 0) return `| ${c.label} | ${cell(c.bootstrap)} | | | ${c.goal ?? ""} |`;
      return `| ${c.label} | ${cell(c.bootstrap)} | ${cell(c.bosh)} | ${(ours / median(c.bosh)).toFixed(2)} | ${c.goal ?? ""} |`;
    }),
    ...singles.map((s) => `| ${s.label} | ${format(median(s.ms), "ms")} | | | ${s.goal} |`),
  ];
  return rows.join("\n");
}

function format(value: number, unit: "ms" | "MB" | "%"): string {
  if (unit === "MB") return `${Math.round(value)} MB`;
  if (unit === "%") return `${value.toFixed(1)}%`;
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}
