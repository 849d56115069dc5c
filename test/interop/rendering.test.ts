/**
 * Job template rendering, bootstrap against the real `bosh create-env` (bosh-cli v7.9.13 with the
 * system Ruby): the corpus in test/interop/fixtures/render (releases render-alpha and render-beta:
 * 9 jobs, 36 templates + 9 monit files; the stub CPI's job: 2 templates + monit; render-gamma's
 * 3 jobs fail on purpose) goes through both, and each job's rendered files must be
 * byte-identical — same paths, same bytes.
 *
 * bosh-cli's side is the `rendered_templates_archive` blob it PUTs to a recording agent during a
 * real create-env (stub CPI, render-bosh-create-env.ts); bootstrap's is the archive the deploy's
 * own wiring writes (render-bootstrap.ts). The stub CPI's job is compared too, as each installs
 * it (bosh-cli: extracted and bin/ made executable; bootstrap: renderCpiJobs), modes included.
 * Rendering failures are compared by what both say.
 *
 * Normalised, because it is random by nature: `spec.id`, a fresh UUID for every template in
 * bosh-cli (and in bootstrap), shown here as <uuid>. Nothing else is. Modes: bosh-cli sets none
 * (Ruby writes every file with the umask's 0644, bin/ included; the agent makes bin/ executable
 * when it installs the job); bootstrap writes bin/ files 0755 — the only mode difference allowed.
 *
 * Kept out of the corpus because they depend on the Ruby that runs bosh-cli, not on bosh-cli
 * (bootstrap embeds Ruby 3.4; this machine's is 3.1): JSON.pretty_generate of an empty array or
 * hash (Ruby 3.1's json writes "[\n\n]"), to_yaml of the strings "Y" and "N" (3.4's Psych quotes
 * them), Hash#inspect (3.4 writes {"a" => 1}) and the wording of NoMethodError. Also out: integers beyond 2^53 in YAML (bosh-cli keeps them exact; JavaScript
 * numbers cannot).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isBootstrapError } from "../../src/common/index.js";
import { makeCa } from "../agent-client/support/certs.js";
import { runBoshCreateEnv, BOSH_RUN_TIMEOUT_MS, type BoshRun } from "./support/render-bosh-create-env.js";
import { renderCpiWithBootstrap, renderWithBootstrap, type BootstrapCpiRender, type BootstrapRender } from "./support/render-bootstrap.js";
import { buildCorpus, corpusJobs } from "./support/render-corpus.js";
import { STUB_CPI_JOB } from "./support/render-stub-cpi.js";

const CORPUS_JOBS = [...corpusJobs("render-alpha"), ...corpusJobs("render-beta")];
const ERROR_CASES = [
  { job: "missing-one", agentIp: "127.0.70.62" },
  { job: "missing-names", agentIp: "127.0.70.63" },
  { job: "uses-link", agentIp: "127.0.70.64" },
];
const CORPUS_AGENT_IP = "127.0.70.61";
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface RenderedFile {
  content: Buffer;
  mode: number;
}
type RenderedTree = Map<string, RenderedFile>;

let workDir: string;
let bosh: { corpus: BoshRun; errors: Map<string, BoshRun> };
let ours: { corpus: BootstrapRender; cpi: BootstrapCpiRender; errors: Map<string, BootstrapRender> };

function untar(archive: string, into: string): void {
  mkdirSync(into, { recursive: true });
  execFileSync("tar", ["-xzf", archive, "-C", into]);
}

/** A job's rendered files, keyed by path relative to the job's directory. */
function jobTree(root: string): RenderedTree {
  const tree: RenderedTree = new Map();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else tree.set(relative(root, path), { content: readFileSync(path), mode: stat.mode & 0o777 });
    }
  };
  walk(root);
  return tree;
}

const describeError = (error: unknown): string =>
  isBootstrapError(error) ? [`${error.code}: ${error.message}`, ...error.details].join("\n") : String(error);

const normalise = (content: Buffer): string => content.toString("utf8").replace(UUID, "<uuid>");

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "render-interop-"));
  await buildCorpus(workDir);
  const manifest = join(workDir, "manifest.yml");
  const errors = join(workDir, "errors.yml");
  // bosh-cli runs are independent (own HOME, state and agent address): run them side by side.
  const [corpusRun, ...errorRuns] = await Promise.all([
    runBoshCreateEnv({ workDir: join(workDir, "bosh-corpus"), manifestPath: manifest, agentIp: CORPUS_AGENT_IP }),
    ...ERROR_CASES.map((c) =>
      runBoshCreateEnv({ workDir: join(workDir, `bosh-${c.job}`), manifestPath: errors, agentIp: c.agentIp, vars: { failing_job: c.job } }),
    ),
  ]);
  bosh = { corpus: corpusRun as BoshRun, errors: new Map(ERROR_CASES.map((c, i) => [c.job, errorRuns[i] as BoshRun])) };

  // bootstrap's side sees the same vars bosh-cli got (the agent's URL and CA never reach a template).
  const ca = makeCa("render-interop-unused-ca").cert;
  // cpi_dump_dir is bosh-cli's, so the CPI job's rendered properties are the same.
  const vars = (agentIp: string) => ({
    agent_ip: agentIp,
    mbus_url: `https://mbus:unused@${agentIp}:6868`,
    mbus_ca: ca,
    cpi_dump_dir: bosh.corpus.cpiJobDir,
  });
  const corpus = await renderWithBootstrap(manifest, vars(CORPUS_AGENT_IP), join(workDir, "ours-corpus"));
  const cpi = await renderCpiWithBootstrap(manifest, vars(CORPUS_AGENT_IP), join(workDir, "ours-cpi"));
  const errorRenders = new Map<string, BootstrapRender>();
  for (const c of ERROR_CASES) {
    errorRenders.set(c.job, await renderWithBootstrap(errors, { ...vars(c.agentIp), failing_job: c.job }, join(workDir, `ours-${c.job}`)));
  }
  ours = { corpus, cpi, errors: errorRenders };

  if (bosh.corpus.archive !== undefined) {
    writeFileSync(join(workDir, "bosh-corpus.tgz"), bosh.corpus.archive);
    untar(join(workDir, "bosh-corpus.tgz"), join(workDir, "bosh-extracted"));
  }
  if ("archive" in ours.corpus) untar(ours.corpus.archive, join(workDir, "ours-extracted"));
}, 2 * BOSH_RUN_TIMEOUT_MS);

describe("job template rendering: bootstrap against bosh create-env", () => {
  it("both render the corpus", () => {
    expect(bosh.corpus.exitCode, bosh.corpus.output).toBe(0);
    expect(bosh.corpus.archive, "bosh-cli uploaded no rendered templates archive").toBeDefined();
    expect("error" in ours.corpus ? describeError(ours.corpus.error) : "").toBe("");
  });

  it("the archives hold the same jobs", () => {
    const jobs = (dir: string) => readdirSync(join(workDir, dir)).sort();
    expect(jobs("ours-extracted")).toEqual(jobs("bosh-extracted"));
    expect(jobs("bosh-extracted")).toEqual(CORPUS_JOBS.map((j) => j.name).sort());
  });

  it.each(CORPUS_JOBS.map((j) => [`${j.release}/${j.name}`, j.name]))("%s: same files, byte for byte", (_label, job) => {
    const theirs = jobTree(join(workDir, "bosh-extracted", job));
    const mine = jobTree(join(workDir, "ours-extracted", job));
    expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [path, file] of theirs) {
      const other = mine.get(path) as RenderedFile;
      expect(normalise(other.content), `${job}/${path}`).toBe(normalise(file.content));
      expect(other.mode, `mode of ${job}/${path}`).toBe(path.startsWith("bin/") ? 0o755 : file.mode);
    }
  });

  it("the CPI job: same installed files, byte for byte, same modes", () => {
    expect("error" in ours.cpi ? describeError(ours.cpi.error) : "").toBe("");
    const theirs = jobTree(bosh.corpus.cpiJobDir);
    const mine = jobTree(join((ours.cpi as { jobsDir: string }).jobsDir, STUB_CPI_JOB));
    expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [path, file] of theirs) {
      const other = mine.get(path) as RenderedFile;
      expect(normalise(other.content), path).toBe(normalise(file.content));
      expect(other.mode, `mode of ${path}`).toBe(file.mode);
    }
  });

  // bosh-cli: Error filling in template '<tmp>/templates/<src>' for <job>/<index> (line N: #<Class: MESSAGE>)
  const boshFailure = (output: string) => {
    const found = /Error filling in template '[^']*\/templates\/([^']+)' for ([^ ]+) \(line (\d+): #<([A-Za-z:]+): (.*)>\)/.exec(output);
    expect(found, output).not.toBeNull();
    const [, template, instance, line, errorClass, message] = found as unknown as [string, string, string, string, string, string];
    return { template, instance, line, errorClass, message };
  };
  const ourFailure = (render: BootstrapRender): string => {
    expect("error" in render).toBe(true);
    const error = (render as { error: unknown }).error;
    expect(isBootstrapError(error) ? error.code : describeError(error)).toBe("TEMPLATE_RENDER_FAILED");
    return (error as Error).message;
  };

  it.each([["missing-one"], ["missing-names"]])("%s: a missing property fails both with the same words", (job) => {
    const theirs = bosh.errors.get(job) as BoshRun;
    expect(theirs.exitCode).toBe(1);
    const f = boshFailure(theirs.output);
    expect(f.errorClass).toMatch(/UnknownProperty$/);
    // bootstrap names the template by its source (bosh-cli shows a temporary path) and the message without Ruby's #<…> wrapper.
    expect(ourFailure(ours.errors.get(job) as BootstrapRender)).toBe(
      `Error filling in template '${f.template}' for ${f.instance} (line ${f.line}: ${f.message})`,
    );
  });

  it("uses-link: link() fails both at the same template and line; bootstrap says why", () => {
    const theirs = bosh.errors.get("uses-link") as BoshRun;
    expect(theirs.exitCode).toBe(1);
    const f = boshFailure(theirs.output);
    // bosh-cli has no link helper in create-env: a NoMethodError whose wording depends on its Ruby.
    expect(`${f.errorClass}: ${f.message}`).toMatch(/^NoMethodError: undefined method .link'/);
    expect(ourFailure(ours.errors.get("uses-link") as BootstrapRender)).toBe(
      `Error filling in template '${f.template}' for ${f.instance} (line ${f.line}: LinksUnsupported: Can't find link 'db': ` +
        "links are not supported by bootstrap; pass the values as job properties instead)",
    );
  });
});
