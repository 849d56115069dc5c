/**
 * The `POST /agent` envelope: `{method, arguments, reply_to, protocol}` in, `{value}` or
 * `{exception: {message}}` out (always HTTP 200). Synchronous actions answer directly;
 * asynchronous ones answer `{agent_task_id, state: "running"}` and are polled with get_task.
 * Error texts follow the real agent ("unknown message X", "Action Failed X: ...",
 * "Task <id> result: ...", "Task with id <id> could not be found").
 */
import { isRecord, messageOf, type Logger } from "../../common/index.js";
import { requireArgs, stringArg } from "./action-args.js";
import type { TaskService } from "./task-service.js";

export interface ActionContext {
  signal: AbortSignal;
  protocol: number;
}

export interface Action {
  /** Whether the action runs as a task; list_disk depends on the protocol version. */
  async: boolean | ((protocol: number) => boolean);
  cancellable?: boolean;
  run(args: readonly unknown[], context: ActionContext): Promise<unknown>;
}

export type AgentResponse = { value: unknown } | { exception: { message: string } };

export class Dispatcher {
  private readonly actions: Record<string, Action>;

  constructor(actions: Record<string, Action>, private readonly tasks: TaskService, private readonly logger: Logger) {
    this.actions = { ...actions, get_task: this.getTask(), cancel_task: this.cancelTask() };
  }

  async handle(request: unknown): Promise<AgentResponse> {
    const method = isRecord(request) && typeof request.method === "string" ? request.method : "";
    const action = Object.hasOwn(this.actions, method) ? this.actions[method] : undefined;
    if (action === undefined) {
      this.logger.warn(`unknown action ${method}`);
      return { exception: { message: `unknown message ${method}` } };
    }
    const protocol = isRecord(request) && typeof request.protocol === "number" ? request.protocol : 0;
    const rawArgs = isRecord(request) ? request.arguments : undefined;
    const runWith = async (signal: AbortSignal): Promise<unknown> => {
      if (rawArgs !== undefined && rawArgs !== null && !Array.isArray(rawArgs)) {
        throw new Error("Extracting json arguments: Unmarshalling payload arguments to interface{} types: arguments is not an array");
      }
      return action.run(rawArgs ?? [], { signal, protocol });
    };
    const isAsync = typeof action.async === "function" ? action.async(protocol) : action.async;
    if (isAsync) {
      const task = this.tasks.start(method, action.cancellable ?? false, async (signal) => {
        this.logger.debug(`task ${method} started`);
        try {
          return await runWith(signal);
        } catch (error) {
          this.logger.warn(`task ${method} failed: ${messageOf(error)}`);
          throw error;
        }
      });
      return { value: { agent_task_id: task.id, state: "running" } };
    }
    try {
      return { value: await runWith(new AbortController().signal) };
    } catch (error) {
      if (method !== "get_task") this.logger.warn(`action ${method} failed: ${messageOf(error)}`);
      return { exception: { message: `Action Failed ${method}: ${messageOf(error)}` } };
    }
  }

  /** get_task and cancel_task name a task by id, with the real agent's error for an unknown one. */
  private taskArg(args: readonly unknown[]) {
    requireArgs(args, 1);
    const id = stringArg(args, 0);
    const task = this.tasks.find(id);
    if (task === undefined) throw new Error(`Task with id ${id} could not be found`);
    return { id, task };
  }

  private getTask(): Action {
    return {
      async: false,
      run: async (args) => {
        const { id, task } = this.taskArg(args);
        if (task.state === "running") return { agent_task_id: task.id, state: "running" };
        if (task.error !== undefined) throw new Error(`Task ${id} result: ${task.error.message}`);
        return task.value ?? null;
      },
    };
  }

  private cancelTask(): Action {
    return {
      async: false,
      run: async (args) => {
        const { id, task } = this.taskArg(args);
        if (!task.cancellable) throw new Error("not supported");
        task.controller.abort(new Error(`Task ${id} canceled`));
        return "canceled";
      },
    };
  }
}
