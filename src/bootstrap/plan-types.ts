/**
 * The plan: every step a deploy or delete will take, in order, each with the reason it is
 * needed. Apply runs exactly these steps (an exhaustive switch over the kinds), and `bootstrap
 * plan` prints exactly these descriptions, so what the user reads is what the run does.
 */
export type DeployStep =
  | { kind: "delete-orphan-vm"; cid: string; reason: string }
  | { kind: "upload-stemcell"; name: string; version: string; reason: string }
  | { kind: "reuse-stemcell"; name: string; version: string; cid: string; reason: string }
  | { kind: "delete-vm"; cid: string; reason: string }
  | { kind: "create-vm"; reason: string }
  /** The current VM stays: its agent is waited for, and the next steps update its instance in place. */
  | { kind: "keep-vm"; cid: string; instance: string; reason: string }
  | { kind: "create-disk"; sizeMb: number; reason: string }
  | { kind: "attach-disk"; diskCid: string; reason: string }
  | { kind: "migrate-disk"; fromCid: string; fromSizeMb: number; toSizeMb: number; reason: string }
  | { kind: "render-jobs"; reason: string }
  | { kind: "compile-packages"; reason: string }
  | { kind: "update-instance"; reason: string }
  | { kind: "start-jobs"; reason: string }
  | { kind: "delete-unused-disk"; cid: string; reason: string }
  | { kind: "delete-unused-stemcell"; cid: string; name: string; version: string; reason: string }
  | { kind: "record-deployment"; reason: string };

export interface DeployPlan {
  /** Why a deploy is needed; empty when nothing changed. */
  changes: string[];
  steps: DeployStep[];
  /** Things the user should know that change nothing (e.g. a disk kept on purpose). */
  notes: string[];
}

export type DeleteStep =
  | { kind: "delete-orphan-vm"; cid: string; reason: string }
  | { kind: "delete-vm"; cid: string; reason: string }
  | { kind: "delete-disk"; cid: string; reason: string }
  | { kind: "delete-stemcell"; cid: string; name: string; version: string; reason: string }
  | { kind: "forget-deployment"; reason: string };

export interface DeletePlan {
  steps: DeleteStep[];
}

/** Which deploy steps call the CPI; a plan without one runs without installing it. */
const CALLS_CPI: Record<DeployStep["kind"], boolean> = {
  "delete-orphan-vm": true,
  "upload-stemcell": true,
  "reuse-stemcell": false,
  "delete-vm": true,
  "create-vm": true,
  "keep-vm": false,
  "create-disk": true,
  "attach-disk": true,
  "migrate-disk": true,
  "render-jobs": false,
  "compile-packages": false,
  "update-instance": false,
  "start-jobs": false,
  "delete-unused-disk": true,
  "delete-unused-stemcell": true,
  "record-deployment": false,
};

export function planCallsCpi(plan: DeployPlan): boolean {
  return plan.steps.some((step) => CALLS_CPI[step.kind]);
}

/** For an exhaustive switch: the compiler rejects a call here while a kind is unhandled. */
export function unhandledStep(step: never): never {
  throw new Error(`unhandled plan step ${JSON.stringify(step)}`);
}

export function describeStep(step: DeployStep | DeleteStep): string {
  switch (step.kind) {
    case "delete-orphan-vm":
      return `Delete VM '${step.cid}' left by an interrupted run`;
    case "upload-stemcell":
      return `Upload stemcell '${step.name}/${step.version}'`;
    case "reuse-stemcell":
      return `Use stemcell '${step.name}/${step.version}' ('${step.cid}'), already uploaded`;
    case "delete-vm":
      return `Delete VM '${step.cid}' (stopping its jobs first)`;
    case "create-vm":
      return "Create VM and wait for its agent";
    case "keep-vm":
      return `Update instance '${step.instance}' in place: only jobs/properties changed; the VM stays ('${step.cid}')`;
    case "create-disk":
      return `Create persistent disk (${step.sizeMb} MB) and attach it`;
    case "attach-disk":
      return `Attach persistent disk '${step.diskCid}'`;
    case "migrate-disk":
      return `Migrate persistent disk '${step.fromCid}' (${step.fromSizeMb} MB) to a new disk (${step.toSizeMb} MB)`;
    case "render-jobs":
      return "Render job templates";
    case "compile-packages":
      return "Compile packages on the VM (or reuse compiled ones)";
    case "update-instance":
      return "Apply the jobs, start them and wait until running";
    case "start-jobs":
      return "Start the stopped jobs and wait until running";
    case "delete-unused-disk":
      return `Delete unused disk '${step.cid}'`;
    case "delete-unused-stemcell":
      return `Delete unused stemcell '${step.name}/${step.version}' ('${step.cid}')`;
    case "record-deployment":
      return "Record the deployment in the state file";
    case "delete-disk":
      return `Delete disk '${step.cid}'`;
    case "delete-stemcell":
      return `Delete stemcell '${step.name}/${step.version}' ('${step.cid}')`;
    case "forget-deployment":
      return "Remove the state file, the CPI journal and the CPI installation";
    default:
      return unhandledStep(step);
  }
}
