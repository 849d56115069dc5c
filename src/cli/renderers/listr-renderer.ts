/**
 * Interactive rendering with listr2: each stage (and each top-level step) is a listr2 task with
 * a spinner and a timer; the stage's steps are drawn under it as they start and finish, each
 * with its outcome and duration. Events arrive synchronously while listr2 draws
 * asynchronously, so lists run one after another on a queue that finish() drains.
 */
import { Listr, ListrLogger, PRESET_TIMER, ProcessOutput, type ListrTaskWrapper } from "listr2";
import { redact } from "../../common/index.js";
import type { BootstrapEvent, EventSink } from "../../bootstrap/index.js";
import { formatDuration } from "./format.js";

interface OpenList {
  title: string;
  finalTitle?: string;
  steps: Map<string, string>;
  task?: ListrTaskWrapper<unknown, never, never>;
  settle: (failed: boolean) => void;
}

export class ListrRenderer implements EventSink {
  private queue: Promise<void> = Promise.resolve();
  private open: OpenList | undefined;
  private readonly logger: ListrLogger<string>;

  constructor(private readonly out: NodeJS.WritableStream) {
    const output = new ProcessOutput(out as NodeJS.WriteStream, out as NodeJS.WriteStream);
    this.logger = new ListrLogger({ processOutput: output });
  }

  emit(event: BootstrapEvent): void {
    switch (event.type) {
      case "info":
        this.print(event.message);
        break;
      case "warning":
        this.print(`Warning: ${event.message}`);
        break;
      case "stage-started":
        this.startList(event.stage);
        break;
      case "stage-finished":
        this.endList(event.outcome === "failed", `${event.stage} (${formatDuration(event.durationMs)})`);
        break;
      case "step-started":
        if (this.open === undefined) this.startList(event.step);
        else this.setStep(event.step, `… ${event.step}`);
        break;
      case "step-finished": {
        const mark = event.outcome === "finished" ? "✔" : event.outcome === "failed" ? "✖" : "↓";
        const skipped = event.outcome === "skipped" ? ` [skipped: ${event.reason ?? ""}]` : "";
        const line = `${mark} ${event.step}${skipped} (${formatDuration(event.durationMs)})`;
        if (this.open?.title === event.step && event.stage === undefined && this.open.steps.size === 0) {
          this.endList(event.outcome === "failed", `${event.step}${skipped} (${formatDuration(event.durationMs)})`);
        } else this.setStep(event.step, line);
        break;
      }
      default:
        break;
    }
  }

  async finish(): Promise<void> {
    if (this.open !== undefined) this.endList(false, this.open.title);
    await this.queue;
  }

  private print(text: string): void {
    this.queue = this.queue.then(() => {
      this.out.write(`${redact(text)}\n`);
    });
  }

  private startList(title: string): void {
    if (this.open !== undefined) this.endList(false, this.open.title);
    let settle: (failed: boolean) => void = () => {};
    const done = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    const open: OpenList = { title, steps: new Map(), settle };
    this.open = open;
    const list = new Listr(
      [
        {
          title: redact(title),
          task: async (_ctx, task) => {
            open.task = task as unknown as ListrTaskWrapper<unknown, never, never>;
            this.draw(open);
            const failed = await done;
            if (open.finalTitle !== undefined) task.title = redact(open.finalTitle);
            if (failed) throw new Error(`${title} failed`);
          },
          rendererOptions: { outputBar: Infinity, persistentOutput: true },
        },
      ],
      {
        exitOnError: false,
        registerSignalListeners: false,
        rendererOptions: { logger: this.logger, timer: PRESET_TIMER, collapseErrors: true, showErrorMessage: false },
      },
    );
    this.queue = this.queue.then(() => list.run().then(() => undefined, () => undefined));
  }

  private endList(failed: boolean, finalTitle: string): void {
    const open = this.open;
    if (open === undefined) return;
    this.open = undefined;
    open.finalTitle = finalTitle;
    open.settle(failed);
  }

  private setStep(step: string, line: string): void {
    const open = this.open;
    if (open === undefined) return;
    open.steps.set(step, line);
    this.draw(open);
  }

  private draw(open: OpenList): void {
    if (open.task !== undefined) open.task.output = redact([...open.steps.values()].join("\n"));
  }
}
