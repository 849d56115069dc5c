/**
 * Asynchronous tasks as the real agent runs them: each gets a v4 UUID at once, they run strictly
 * one at a time in arrival order, and finished tasks keep their value or error for the life of the
 * process (get_task answers the same each time). Cancellation reaches the task through an
 * AbortSignal; only actions that declare themselves cancellable accept it.
 */
import { randomUUID } from "node:crypto";

export type TaskState = "running" | "done" | "failed";

export interface Task {
  readonly id: string;
  readonly method: string;
  state: TaskState;
  value?: unknown;
  error?: Error;
  readonly cancellable: boolean;
  readonly controller: AbortController;
}

export class TaskService {
  private readonly tasks = new Map<string, Task>();
  private tail: Promise<void> = Promise.resolve();

  start(method: string, cancellable: boolean, work: (signal: AbortSignal) => Promise<unknown>): Task {
    const task: Task = { id: randomUUID(), method, state: "running", cancellable, controller: new AbortController() };
    this.tasks.set(task.id, task);
    this.tail = this.tail.then(async () => {
      try {
        task.value = await work(task.controller.signal);
        task.state = "done";
      } catch (error) {
        task.error = error instanceof Error ? error : new Error(String(error));
        task.state = "failed";
      }
    });
    return task;
  }

  find(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  /** Resolves when every task queued so far has finished (used on shutdown). */
  idle(): Promise<void> {
    return this.tail;
  }
}
