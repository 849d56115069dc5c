/**
 * bootstrap's own time in one run, from its debug log: the wall time during which no CPI call,
 * no agent call or task and no blob transfer to or from the agent was under way. Each of those is
 * logged as it ends, with its duration ("cpi create_vm [id] succeeded after 3507 ms", "agent
 * compile_package: task finished after 812 ms", "blob PUT <id>: 123 bytes after 90 ms"), which
 * gives its interval. The rest is ours: start-up, reading, hashing and extracting artefacts, the
 * CPI's installation, rendering, and the time between a task's end and the poll that sees it.
 * A transfer counts as the agent's although both ends work on it; the figure is about the time
 * nothing else was waiting on us.
 *
 * Part of it comes before anything acts, and bosh create-env does the same work there: making
 * the variables' keys (from the log's first line to the validating stage's start) and reading
 * every artefact whole to validate it (the validating stage). That part is the floor of our own
 * time while a deploy validates before it acts; `beforeActingMs` reports it apart.
 */
const LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) \w+ (.*)$/;
const VALIDATED = /^\{"type":"stage-finished","stage":"validating",/;
const TIMED = [/^cpi \S+ \[[^\]]+\] (?:succeeded|failed) after (\d+) ms$/, /^agent \w+: (?:value|exception|task finished) after (\d+) ms$/, /^blob (?:PUT|GET) \S+: \d+ bytes after (\d+) ms$/];

export interface OwnTime {
  /** Union of the CPI's, the agent's and the transfers' intervals. */
  othersMs: number;
  /** The run's wall time (start-up before the log's first line included) less othersMs. */
  ownMs: number;
  /** The longest stretches of our own time inside the log, each with the last line logged in it. */
  longest: { ms: number; last: string }[];
  /** Wall time up to the validating stage's end (start-up and exit, which the log does not cover, included): the variables and the artefacts' validation; 0 without that stage. */
  beforeActingMs: number;
}

export function ownTime(log: string, wallMs: number): OwnTime {
  const lines = log
    .split("\n")
    .map((l) => LINE.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ at: Date.parse(m[1] ?? ""), text: m[2] ?? "" }));
  const first = lines[0]?.at ?? 0;
  const last = lines.at(-1)?.at ?? first;
  const intervals = lines.flatMap(({ at, text }) => {
    const ms = TIMED.map((re) => re.exec(text)?.[1]).find((v) => v !== undefined);
    return ms === undefined ? [] : [{ start: at - Number(ms), end: at }];
  });
  const merged = union(intervals);
  const othersMs = merged.reduce((sum, i) => sum + (i.end - i.start), 0);
  // The gaps between the merged intervals, each named by the last line logged inside it.
  const edges = [{ start: first, end: first }, ...merged, { start: last, end: last }];
  const gaps = edges.slice(1).map((next, i) => {
    const from = edges[i]?.end ?? first;
    const inside = lines.filter((l) => l.at > from && l.at <= next.start).at(-1);
    return { ms: Math.max(0, next.start - from), last: inside?.text.slice(0, 140) ?? "" };
  });
  const validated = lines.find((l) => VALIDATED.test(l.text));
  // What the log does not cover (start-up, exit) counts, as in ownMs: nothing else runs then.
  const beforeActingMs = validated === undefined ? 0 : Math.max(0, validated.at - first + (wallMs - (last - first)));
  return { othersMs, ownMs: wallMs - othersMs, longest: gaps.sort((a, b) => b.ms - a.ms).slice(0, 6), beforeActingMs };
}

function union(intervals: { start: number; end: number }[]): { start: number; end: number }[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const i of sorted) {
    const top = out.at(-1);
    if (top !== undefined && i.start <= top.end) top.end = Math.max(top.end, i.end);
    else out.push({ ...i });
  }
  return out;
}
