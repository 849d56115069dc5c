/**
 * Parses the subset of monit's control-file language that BOSH job monit files use:
 *   check process <name> with pidfile <path>
 *     start program "<cmd>" [as uid u and gid g] [with timeout N seconds]
 *     stop program "<cmd>" [...]
 *     group vcap
 *     depends on a, b
 * Other checks (`check file`, `check host`...) and resource tests (`if ... then ...`) are read
 * past and ignored: this supervisor watches processes only. Pure: text in, definitions out.
 */

export interface MonitProgram {
  command: string;
  timeoutMs: number;
}

export interface MonitProcess {
  name: string;
  pidfile: string;
  start?: MonitProgram;
  stop?: MonitProgram;
  groups: string[];
  dependsOn: string[];
}

/** monit's default program timeout. */
const DEFAULT_TIMEOUT_MS = 30_000;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /#[^\n]*|"((?:[^"\\]|\\.)*)"|'([^']*)'|,|([^\s,"']+)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[0].startsWith("#") || match[0] === ",") continue;
    tokens.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : (match[2] ?? match[3] ?? ""));
  }
  return tokens;
}

const STATEMENT_WORDS = new Set(["check", "start", "stop", "restart", "group", "depends", "if", "with", "pidfile", "mode", "every"]);

export function parseMonitFile(text: string): MonitProcess[] {
  const tokens = tokenize(text);
  const processes: MonitProcess[] = [];
  let current: MonitProcess | undefined;
  let lastProgram: MonitProgram | undefined;
  let i = 0;
  const next = (): string => tokens[i++] ?? "";
  const peek = (): string => (tokens[i] ?? "").toLowerCase();

  while (i < tokens.length) {
    const word = next().toLowerCase();
    if (word === "check") {
      const kind = next().toLowerCase();
      const name = next();
      current = kind === "process" ? { name, pidfile: "", groups: [], dependsOn: [] } : undefined;
      if (current !== undefined) processes.push(current);
      lastProgram = undefined;
      continue;
    }
    if (current === undefined) continue;
    if (word === "pidfile") current.pidfile = next();
    else if (word === "start" || word === "stop") {
      if (peek() === "program") next();
      if (peek() === "=") next();
      const program = { command: next(), timeoutMs: DEFAULT_TIMEOUT_MS };
      if (word === "start") current.start = program;
      else current.stop = program;
      lastProgram = program;
    } else if (word === "timeout" && lastProgram !== undefined) {
      const amount = Number(next());
      const unit = peek();
      if (unit.startsWith("second") || unit.startsWith("cycle")) next();
      // This supervisor polls once a second, so a cycle counts as one second.
      if (Number.isFinite(amount) && amount > 0) lastProgram.timeoutMs = amount * 1000;
    } else if (word === "group") current.groups.push(next());
    else if (word === "depends") {
      if (peek() === "on") next();
      while (i < tokens.length && !STATEMENT_WORDS.has(peek())) current.dependsOn.push(next());
    } else if (word === "if") {
      // Resource tests: skip to their action (`then alert`, `then exec "..."`, `then restart`).
      while (i < tokens.length && peek() !== "then") next();
      next();
      const action = next().toLowerCase();
      if (action === "exec") next();
    }
  }
  return processes.filter((p) => p.name !== "" && p.pidfile !== "");
}
