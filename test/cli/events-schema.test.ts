/**
 * schemas/events-v1.json documents every event the `--json` renderer writes: its event types and
 * plan step kinds are exactly the TypeScript unions' (the `satisfies` lists below stop compiling
 * when a union grows), one event of each type and every result shape rendered by JsonRenderer
 * is valid, and an undocumented field, a missing one or an unknown type is not.
 */
import { describe, expect, it } from "vitest";
import type { BootstrapEvent, DeleteResult, DeleteStep, DeployResult, DeployStep, PlanResult, StopStartResult } from "../../src/bootstrap/index.js";
import { JsonRenderer } from "../../src/cli/renderers/json-renderer.js";
import { checkEventLines, eventsSchema } from "../support/events-schema.js";
import { collector } from "./collect-output.js";

const EVENT_TYPES = {
  info: true,
  warning: true,
  "stage-started": true,
  "stage-finished": true,
  "step-started": true,
  "step-finished": true,
  "plan-step": true,
  "cpi-call": true,
  "compile-package": true,
  "upload-progress": true,
  result: true,
} satisfies Record<BootstrapEvent["type"], true>;

const deploySteps: DeployStep[] = [
  { kind: "delete-orphan-vm", cid: "vm-0", reason: "left by an interrupted run" },
  { kind: "upload-stemcell", name: "bootstrap-local-stemcell", version: "0.1.0", reason: "no stemcell uploaded" },
  { kind: "reuse-stemcell", name: "bootstrap-local-stemcell", version: "0.1.0", cid: "sc-1", reason: "already uploaded" },
  { kind: "delete-vm", cid: "vm-1", reason: "stemcell changed" },
  { kind: "create-vm", reason: "no VM" },
  { kind: "keep-vm", cid: "vm-1", instance: "bosh/0", reason: "the manifest changed; the VM stays" },
  { kind: "create-disk", sizeMb: 1024, reason: "no disk" },
  { kind: "attach-disk", diskCid: "disk-1", reason: "new VM" },
  { kind: "migrate-disk", fromCid: "disk-1", fromSizeMb: 1024, toSizeMb: 2048, reason: "disk size changed 1024 MB → 2048 MB" },
  { kind: "render-jobs", reason: "first deploy" },
  { kind: "compile-packages", reason: "first deploy" },
  { kind: "update-instance", reason: "first deploy" },
  { kind: "start-jobs", reason: "stopped by bootstrap stop" },
  { kind: "delete-unused-disk", cid: "disk-0", reason: "unused" },
  { kind: "delete-unused-stemcell", cid: "sc-0", name: "old", version: "1", reason: "unused" },
  { kind: "record-deployment", reason: "first deploy" },
];
const deleteSteps: DeleteStep[] = [
  { kind: "delete-orphan-vm", cid: "vm-0", reason: "left by an interrupted run" },
  { kind: "delete-vm", cid: "vm-1", reason: "recorded" },
  { kind: "delete-disk", cid: "disk-1", reason: "recorded" },
  { kind: "delete-stemcell", cid: "sc-1", name: "s", version: "1", reason: "recorded" },
  { kind: "forget-deployment", reason: "everything deleted" },
];
const STEP_KINDS = Object.fromEntries([...deploySteps, ...deleteSteps].map((s) => [s.kind, true])) as Record<(DeployStep | DeleteStep)["kind"], true>;

const deployed: DeployResult = {
  changed: true,
  startedStoppedJobs: false,
  changes: ["first deploy"],
  statePath: "/s.json",
  varsStore: "/creds.yml",
  address: "127.0.10.10",
  directorUrl: "https://127.0.10.10:25555",
  generated: ["default_ca"],
};
const noVarsStore: DeployResult = { changed: false, startedStoppedJobs: false, changes: [], statePath: "/s.json", address: "10.0.0.6", generated: [] };
const deleted: DeleteResult = { deleted: true, statePath: "/s.json" };
const planned: PlanResult = { plan: { changes: ["first deploy"], steps: deploySteps, notes: ["a note"] }, statePath: "/s.json", stateExists: false, wouldGenerate: ["default_ca"] };
const stopped: StopStartResult = { statePath: "/s.json", instance: "bosh/0", vmCid: "vm-1" };

const oneOfEach: BootstrapEvent[] = [
  { type: "info", message: "Deployment manifest: '/m.yml'" },
  { type: "warning", message: "trusted on first use" },
  { type: "stage-started", stage: "deploying" },
  { type: "stage-finished", stage: "deploying", outcome: "failed", durationMs: 12 },
  { type: "step-started", step: "Creating VM" },
  { type: "step-started", step: "Creating VM", stage: "deploying" },
  { type: "step-finished", step: "Creating VM", stage: "deploying", outcome: "finished", durationMs: 3_200 },
  { type: "step-finished", step: "Compiling package 'a/1'", outcome: "skipped", reason: "Found in local cache", durationMs: 0 },
  { type: "step-finished", step: "Deleting VM", outcome: "failed", durationMs: 5, error: "boom" },
  ...deploySteps.map((s, index): BootstrapEvent => ({ type: "plan-step", index, total: deploySteps.length, kind: s.kind, description: "d", reason: s.reason })),
  ...deleteSteps.map((s, index): BootstrapEvent => ({ type: "plan-step", index, total: deleteSteps.length, kind: s.kind, description: "d", reason: s.reason })),
  { type: "cpi-call", method: "create_vm", ok: true, durationMs: 800 },
  { type: "compile-package", name: "ruby", fingerprint: "abc", source: "vm" },
  { type: "compile-package", name: "ruby", fingerprint: "abc", source: "compiled" },
  { type: "compile-package", name: "ruby", fingerprint: "abc", source: "cache" },
  { type: "compile-package", name: "ruby", fingerprint: "abc", source: "release" },
  { type: "upload-progress", what: "stemcell", bytes: 10 },
  { type: "upload-progress", what: "stemcell", bytes: 10, total: 20 },
  ...[deployed, noVarsStore, deleted, planned, stopped].map((r): BootstrapEvent => ({ type: "result", summary: { ...r } })),
];

function rendered(events: unknown[]): string {
  const out = collector();
  const renderer = new JsonRenderer(out.stream);
  for (const e of events) renderer.emit(e as BootstrapEvent);
  return out.text();
}

describe("schemas/events-v1.json", () => {
  it("names exactly the event types and plan step kinds of the TypeScript unions", () => {
    expect([...eventsSchema.properties.type.enum].sort()).toEqual(Object.keys(EVENT_TYPES).sort());
    for (const type of Object.keys(EVENT_TYPES)) expect(eventsSchema.$defs, type).toHaveProperty(type);
    expect([...(eventsSchema.$defs["step-kind"]?.enum ?? [])].sort()).toEqual(Object.keys(STEP_KINDS).sort());
  });

  it("accepts every event type and result shape as JsonRenderer writes them", () => {
    const { events, problems } = checkEventLines(rendered(oneOfEach));
    expect(problems).toEqual([]);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(Object.keys(EVENT_TYPES)));
  });

  it("refuses an undocumented field, a missing field, a wrong value (fractional milliseconds too) and an unknown type", () => {
    const bad = [
      { type: "info", message: "m", extra: 1 },
      { type: "step-finished", step: "s", outcome: "finished" },
      { type: "step-finished", step: "s", outcome: "finished", durationMs: 262.02 },
      { type: "stage-finished", stage: "s", outcome: "skipped", durationMs: 1 },
      { type: "cpi-call", method: "create_vm", ok: true, durationMs: -1 },
      { type: "result", summary: { ...deleted, vmCid: "vm-1" } },
      { type: "result", summary: { ...planned, plan: { ...planned.plan, steps: [{ kind: "create-disk", reason: "r" }] } } },
      { type: "progress", message: "m" },
    ];
    expect(checkEventLines(rendered(bad)).problems).toHaveLength(bad.length);
    expect(checkEventLines('{"type":"info","message":"m"}').problems).toHaveLength(1); // no time
  });
});
