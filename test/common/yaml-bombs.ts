/**
 * YAML documents that are small to write and huge (or very costly) to read: the corpus every
 * YAML entry point is tested with. Each is a map at the top, so it fits wherever a manifest,
 * vars file, release.MF or stemcell.MF is expected: the limits must stop it while parsing,
 * before anything looks at its shape.
 */
const laughs = (levels: number, width: number, leaf: string): string => {
  const lines = [`l0: &l0 [${Array(width).fill(leaf).join(", ")}]`];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
};

const mapLaughs = (levels: number, width: number): string => {
  const keys = (ref: string): string => Array.from({ length: width }, (_, k) => `k${k}: ${ref}`).join(", ");
  const lines = [`m0: &m0 {${keys("lol")}}`];
  for (let i = 1; i < levels; i++) lines.push(`m${i}: &m${i} {${keys(`*m${i - 1}`)}}`);
  return `${lines.join("\n")}\n`;
};

/** Every level 60 deep, each built on the previous one: parsing sees 61 levels, the value is 60 × 5 deep. */
const deepThroughAliases = (): string => {
  const nest = (inner: string): string => `${"[".repeat(60)}${inner}${"]".repeat(60)}`;
  const lines = [`d0: &d0 ${nest("x")}`];
  for (let i = 1; i < 5; i++) lines.push(`d${i}: &d${i} ${nest(`*d${i - 1}`)}`);
  return `${lines.join("\n")}\n`;
};

const mergeFlood = (): string => {
  const base = Array.from({ length: 100 }, (_, k) => `k${k}: v`).join(", ");
  const copies = Array.from({ length: 200 }, (_, i) => `c${i}: {<<: *base, own: ${i}}`).join("\n");
  return `base: &base {${base}}\n${copies}\n`;
};

export interface YamlBomb {
  name: string;
  text: string;
  /** Only a bomb where merge keys (`<<`) are read as such (not under release.MF's failsafe schema). */
  mergeKeys?: true;
}

export const YAML_BOMBS: readonly YamlBomb[] = [
  // The issue's 441-byte manifest: 9 levels of 9 aliases, 387 million "lol"s when expanded.
  { name: "billion laughs (lists, 9×9)", text: laughs(9, 9, '"lol"') },
  { name: "billion laughs (maps, 8×8)", text: mapLaughs(8, 8) },
  { name: "deep nesting (10 000 flow lists)", text: `deep: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n` },
  { name: "deep nesting (block maps, 2 000 levels)", text: Array.from({ length: 2000 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " x\n" },
  { name: "deep nesting through aliases", text: deepThroughAliases() },
  { name: "merge keys copying 20 000 keys", text: mergeFlood(), mergeKeys: true },
  { name: "merge key listing 101 maps", text: `base: &base {a: 1}\nall: {<<: [${Array(101).fill("*base").join(", ")}]}\n`, mergeKeys: true },
  { name: "long flow sequence (300 000 items)", text: `items: [${Array(300_000).fill("1").join(",")}]\n` },
  { name: "one 1 MB string used 40 times", text: `s: &s "${"x".repeat(1024 * 1024)}"\nmany: [${Array(40).fill("*s").join(", ")}]\n` },
  { name: "9 MB of text", text: `big: |\n${`  ${"y".repeat(1023)}\n`.repeat(9 * 1024)}` },
];

/** A document far below every limit that still uses anchors, aliases and a merge key. */
export const ORDINARY_WITH_ALIASES = `azs: &azs [z1, z2, z3]
defaults: &defaults {instances: 1, azs: *azs, vm_type: default}
groups:
- {<<: *defaults, name: a}
- {<<: *defaults, name: b, instances: 2}
`;
