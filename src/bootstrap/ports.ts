/**
 * The orchestration's view of its peers: only the calls it makes, taken from the owning
 * boundaries' own interfaces, so the real CpiClient / AgentClient / StateHandle satisfy them
 * and unit tests can pass small fakes.
 */
import type { AgentClient } from "../agent-client/index.js";
import type { Logger } from "../common/index.js";
import type { CpiClient } from "../cpi-runner/index.js";
import type { DeploymentState } from "../state/index.js";
import type { Reporter } from "./reporter.js";

export type CpiPort = Pick<
  CpiClient,
  | "createStemcell"
  | "deleteStemcell"
  | "createVm"
  | "deleteVm"
  | "hasVm"
  | "setVmMetadata"
  | "vmSshHostKey"
  | "createDisk"
  | "attachDisk"
  | "detachDisk"
  | "deleteDisk"
  | "setDiskMetadata"
  | "info"
>;

export type AgentPort = Omit<AgentClient, "ping">;

export type AgentStateValue = Awaited<ReturnType<AgentClient["getState"]>>;

export type StateShape = DeploymentState;

export interface StatePort {
  readonly state: Readonly<StateShape>;
  update(mutate: (draft: StateShape) => void): Promise<void>;
}

/** Everything a stage needs, passed explicitly rather than reached for. */
export interface StageContext {
  reporter: Reporter;
  logger: Logger;
  signal: AbortSignal;
  state: StatePort;
  cpi: CpiPort;
  /** A fresh agent client for whatever VM currently answers at the mbus address. */
  connectAgent(): AgentPort;
  /**
   * An orphan VM (Session.orphanVms) is gone: the journal lets go of the create_vm call that made
   * it, which until then was its only record. Absent where there are no orphans (unit fakes).
   */
  forgetOrphanVm?(cid: string): Promise<void>;
}
