/**
 * The state file as a locked, validated, atomically updated document. openState takes
 * `<state>.lock` for the life of the handle; every update re-validates the new state, keeps
 * one `<state>.backup` (the file as this run found it) and replaces the file atomically, so a
 * kill at any instant leaves either the old or the new state on disk.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { randomUUID } from "node:crypto";
import { BootstrapError, isAlive, silentLogger, writeFileAtomic } from "../common/index.js";
import type { Logger } from "../common/index.js";
import { decodeState } from "./decode-state.js";
import { encodeState } from "./encode-state.js";
import { acquireLock } from "./state-lock.js";
import type { HeldLock } from "./state-lock.js";
import { backupPathOf, lockPathOf } from "./state-path.js";
import { emptyDeploymentState, LIST_KEYS } from "./types.js";
import type { DeploymentState, StateMeta, StoredState } from "./types.js";
import { readStoredState } from "./read-state.js";
import { danglingReferencesError, danglingReferenceWarnings } from "./dangling-references.js";
import { LEGACY_FILE_NAME, readLegacyDeployments } from "./legacy-deployments.js";

export interface StateHandle {
  readonly path: string;
  /**
   * Whether a deployment was found: the state file, or bosh-init's `bosh-deployments.yml` beside
   * it (then converted in memory and written as the state file at the first update). false: the
   * state is a fresh one, not yet written.
   */
  readonly existed: boolean;
  readonly state: Readonly<DeploymentState>;
  /** Things the user should hear about: lock take-overs, unknown keys, dangling references. */
  readonly warnings: string[];
  update(mutate: (draft: DeploymentState) => void): Promise<void>;
  remove(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStateOptions {
  /** Recorded in the lock so a refused run can say who holds it, e.g. "bootstrap deploy bosh.yml". */
  command: string;
  logger?: Logger;
  /**
   * A current_stemcell_id / current_disk_id that names no record: "refuse" (STATE_INVALID, the
   * default: deploy would act on it) or "warn" (delete, which deletes every record regardless).
   */
  danglingReferences?: "refuse" | "warn";
}

export async function openState(path: string, opts: OpenStateOptions): Promise<StateHandle> {
  const statePath = resolve(path);
  const logger = opts.logger ?? silentLogger;
  await mkdir(dirname(statePath), { recursive: true, mode: 0o700 });
  const warnings: string[] = [];
  const lock = await acquireLock(lockPathOf(statePath), opts.command, warnings);
  try {
    await removeDeadWritersTempFiles(statePath);
    const loaded = await readStoredState(statePath);
    if (loaded !== undefined && loaded.dangling.length > 0) {
      if (opts.danglingReferences === "warn") warnings.push(...danglingReferenceWarnings(loaded.dangling));
      else throw danglingReferencesError(statePath, loaded.dangling, loaded.backupPath);
    }
    warnings.push(...(loaded?.warnings ?? []));
    const initial = loaded === undefined ? await fromLegacyOrFresh(statePath, warnings) : { ...loaded, existed: true };
    for (const warning of warnings) logger.warn(warning);
    return new LockedState(statePath, lock, initial, warnings, logger);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

class LockedState implements StateHandle {
  readonly existed: boolean;
  private stored: StoredState;
  private meta: StateMeta | undefined;
  /** The bytes this run found, copied to the backup before the first change. */
  private readonly original: string | undefined;
  private backedUp = false;
  private onDisk: boolean;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly lock: HeldLock,
    initial: Initial,
    readonly warnings: string[],
    private readonly logger: Logger,
  ) {
    this.existed = initial.existed;
    this.original = initial.text;
    this.onDisk = initial.text !== undefined;
    this.stored = initial.stored;
    this.meta = this.stored.meta;
    // bosh-cli fills these on first load; they are needed before anything is written.
    if (this.stored.state.director_id === "") this.stored.state.director_id = randomUUID();
    if (this.stored.state.installation_id === "") this.stored.state.installation_id = randomUUID();
    deepFreeze(this.stored.state);
  }

  get state(): Readonly<DeploymentState> {
    return this.stored.state;
  }

  update(mutate: (draft: DeploymentState) => void): Promise<void> {
    // Updates are serialised: each one starts from the state the previous one wrote.
    const next = this.queue.then(() => this.applyUpdate(mutate));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyUpdate(mutate: (draft: DeploymentState) => void): Promise<void> {
    this.assertOpen();
    const draft = structuredClone(this.stored.state);
    mutate(draft);
    // A list once set is written as [] when emptied again, as bosh-cli does; only never-set ones stay null.
    const nullLists = new Set([...this.stored.nullLists].filter((key) => draft[key].length === 0));
    const candidate: StoredState = { ...this.stored, state: draft, nullLists };
    const meta: StateMeta = {
      serial: (this.meta?.serial ?? 0) + 1,
      lineage: this.meta?.lineage ?? randomUUID(),
      updatedAt: new Date().toISOString(),
    };
    const text = encodeState(candidate, meta);
    if (this.onDisk && text === encodeState(this.stored, meta)) return; // nothing changed
    // Never write what we could not load again.
    const checked = decodeState(text, { path: this.path });
    await this.backupOnce();
    await this.write(text);
    this.stored = { ...checked.stored, nullLists };
    deepFreeze(this.stored.state);
    this.meta = meta;
    this.onDisk = true;
  }

  async remove(): Promise<void> {
    this.assertOpen();
    await this.queue;
    await this.backupOnce();
    await rm(this.path, { force: true });
    this.onDisk = false;
    this.logger.debug(`removed state file ${this.path}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.lock.release();
  }

  private async backupOnce(): Promise<void> {
    if (this.backedUp || this.original === undefined) return;
    await this.write(this.original, backupPathOf(this.path));
    this.backedUp = true;
  }

  private async write(text: string, target = this.path): Promise<void> {
    try {
      await writeFileAtomic(target, text, 0o600);
    } catch (error) {
      throw new BootstrapError("STATE_WRITE_FAILED", `Cannot write ${target}: ${(error as Error).message}`, {
        hint: "Free disk space or fix the directory's permissions, then run the same command again; the previous state is intact.",
        cause: error,
      });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`state handle for ${this.path} used after close()`);
  }
}

/** The state is changed through update() only: a stray write to handle.state throws. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

interface Initial {
  stored: StoredState;
  /** The file's bytes, when there is a state file. */
  text?: string | undefined;
  /** A deployment exists: a state file, or bosh-init's file migrated in memory. */
  existed: boolean;
}

/** No state file: bosh-init's file beside it, converted as bosh-cli does, or nothing deployed yet. */
async function fromLegacyOrFresh(statePath: string, warnings: string[]): Promise<Initial> {
  const legacyPath = join(dirname(statePath), LEGACY_FILE_NAME);
  const legacy = await readLegacyDeployments(legacyPath);
  if (legacy === undefined) return { stored: freshState(), existed: false };
  warnings.push(`read the bosh-init state ${legacyPath}; it is saved as ${statePath} at the first change and can be deleted after that`);
  return { stored: { state: legacy, meta: undefined, nullLists: new Set(["current_release_ids"]), unknown: {} }, existed: true };
}

function freshState(): StoredState {
  return {
    state: emptyDeploymentState(),
    meta: undefined,
    nullLists: new Set(LIST_KEYS),
    unknown: {},
  };
}

/** Temp files of writeFileAtomic whose writer was killed before its rename. */
async function removeDeadWritersTempFiles(statePath: string): Promise<void> {
  const dir = dirname(statePath);
  const base = statePath.slice(dir.length + 1);
  const prefixes = [`.${backupPathOf(base)}.`, `.${base}.`];
  for (const name of await readdir(dir)) {
    const prefix = prefixes.find((p) => name.startsWith(p));
    if (prefix === undefined || !name.endsWith(".tmp")) continue;
    const pid = Number(name.slice(prefix.length).split(".")[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) await rm(resolve(dir, name), { force: true });
  }
}
