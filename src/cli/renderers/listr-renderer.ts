/**
 * Interactive rendering with listr2. Each stage is a listr2 task with a spinner and a timer;
 * its title shows the steps running now, and every finished step is added under it as a line
 * with its outcome and duration (listr2 keeps task output append-only, so finished lines are
 * written once and never redrawn). A step outside any stage is a task of its own. Events
 * arrive synchronously while listr2 draws asynchronously, so lists run one after another on a
 * queue that finish() drains.
 */
import { Listr, ListrLogger, PRESET_TIMER, ProcessOutput } from "listr2";
import { redact } from "../../common/index.js";
import type { BootstrapEvent, EventSink } from "../../bootstrap/index.js";
import { formatDuration } from "./format.js";

interface TaskHandle {
  title: string;
  output: string;
  skip(message?: string): void;
}

interface OpenList {
  title: string;
  isStage: boolean;
  running: string[];
  pending: string[];
  task?: TaskHandle;
  outcome?: { failed: boolean; skipped?: string; finalTitle: string };
  settle: () => void;
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
        this.startList(event.stage, true);
        break;
      case "stage-finished":
        // listr2's timer shows the duration beside the title.
        this.endList({ failed: event.outcome === "failed", finalTitle: event.stage });
        break;
      case "step-started":
        if (this.open?.isStage === true) {
          this.open.running.push(event.step);
          this.drawTitle(this.open);
        } else this.startList(event.step, false);
        break;
      case "step-finished":
        this.finishStep(event);
        break;
      default:
        break;
    }
  }

  async finish(): Promise<void> {
    if (this.open !== undefined) this.endList({ failed: false, finalTitle: this.open.title });
    await this.queue;
  }

  private finishStep(event: Extract<BootstrapEvent, { type: "step-finished" }>): void {
    const open = this.open;
    const duration = `(${formatDuration(event.durationMs)})`;
    const skipped = event.outcome === "skipped" ? ` [skipped: ${event.reason ?? ""}]` : "";
    if (open !== undefined && !open.isStage && open.title === event.step) {
      this.endList({
        failed: event.outcome === "failed",
        ...(event.outcome === "skipped" ? { skipped: `${event.step}${skipped}` } : {}),
        finalTitle: event.step,
      });
      return;
    }
    if (open === undefined) return;
    const mark = event.outcome === "finished" ? "✔" : event.outcome === "failed" ? "✖" : "↓";
    open.running = open.running.filter((s) => s !== event.step);
    this.writeLine(open, `${mark} ${event.step}${skipped} ${duration}`);
    this.drawTitle(open);
  }

  private print(text: string): void {
    this.queue = this.queue.then(() => {
      this.out.write(`${redact(text)}\n`);
    });
  }

  private startList(title: string, isStage: boolean): void {
    if (this.open !== undefined) this.endList({ failed: false, finalTitle: this.open.title });
    let settle: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const open: OpenList = { title, isStage, running: [], pending: [], settle };
    this.open = open;
    const list = new Listr(
      [
        {
          title: redact(title),
          task: async (_ctx, task) => {
            open.task = task as unknown as TaskHandle;
            for (const line of open.pending.splice(0)) open.task.output = line;
            this.drawTitle(open);
            await done;
            const outcome = open.outcome ?? { failed: false, finalTitle: title };
            task.title = redact(outcome.finalTitle);
            if (outcome.skipped !== undefined) task.skip(redact(outcome.skipped));
            if (outcome.failed) throw new Error(`${title} failed`);
          },
          rendererOptions: { outputBar: Infinity, persistentOutput: true },
        },
      ],
      {
        exitOnError: false,
        registerSignalListeners: false,
        // We are only used when our stream (stderr) is a terminal; listr2 itself would look at
        // stdout and fall back to plain output when that is redirected.
        forceTTY: true,
        rendererOptions: { logger: this.logger, timer: PRESET_TIMER, collapseErrors: true, showErrorMessage: false },
      },
    );
    this.queue = this.queue.then(() => list.run().then(() => undefined, () => undefined));
  }

  private endList(outcome: NonNullable<OpenList["outcome"]>): void {
    const open = this.open;
    if (open === undefined) return;
    this.open = undefined;
    open.outcome = outcome;
    open.settle();
  }

  private writeLine(open: OpenList, line: string): void {
    if (open.task === undefined) open.pending.push(redact(line));
    else open.task.output = redact(line);
  }

  private drawTitle(open: OpenList): void {
    if (open.task === undefined || !open.isStage) return;
    const now = open.running.length > 0 ? ` › ${open.running.join(", ")}` : "";
    open.task.title = redact(`${open.title}${now}`);
  }
}
