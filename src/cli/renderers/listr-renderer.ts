/**
 * Interactive rendering with listr2. Each stage is a listr2 task with a spinner and a timer;
 * its title shows the steps running now, and every finished step is added under it as a line
 * with its outcome and duration (listr2 keeps task output append-only, so finished lines are
 * written once and never redrawn). A step outside any stage is a task of its own. A download
 * shows its bytes, total and rate beside its name in the title while it runs (redrawn at most
 * every REDRAW_MS) and its size and mean rate on its finished line. Events arrive synchronously
 * while listr2 draws asynchronously, so lists run one after another on a queue that finish()
 * drains.
 */
import { Listr, ListrLogger, PRESET_TIMER, ProcessOutput } from "listr2";
import { redact } from "../../common/index.js";
import type { BootstrapEvent, EventSink } from "../../bootstrap/index.js";
import { formatDuration, formatProgress, formatTransfer } from "./format.js";

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

/** Bytes a running step has moved; the first report is the baseline of its rate (a resumed download starts with the bytes it kept). */
interface Transfer {
  bytes: number;
  total: number | undefined;
  firstBytes: number;
  firstAt: number;
  drawnAt: number;
}

// A title redrawn for every chunk (64 KiB) would cost more than the download; listr2 draws
// every 100 ms or so anyway.
const REDRAW_MS = 100;
// Below this the rate of a few chunks is noise.
const RATE_AFTER_MS = 500;

export class ListrRenderer implements EventSink {
  private queue: Promise<void> = Promise.resolve();
  private open: OpenList | undefined;
  private readonly logger: ListrLogger<string>;
  private readonly transfers = new Map<string, Transfer>();

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly now: () => number = () => performance.now(),
  ) {
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
      case "upload-progress":
        this.progress(event);
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
    const bytes = this.transfers.get(event.step)?.bytes;
    this.transfers.delete(event.step);
    // As the plain renderer: a failed or skipped step moved nothing worth a rate.
    const moved = bytes === undefined || event.outcome !== "finished" ? undefined : formatTransfer(bytes, event.durationMs);
    const skipped = event.outcome === "skipped" ? ` [skipped: ${event.reason ?? ""}]` : "";
    if (open !== undefined && !open.isStage && open.title === event.step) {
      this.endList({
        failed: event.outcome === "failed",
        ...(event.outcome === "skipped" ? { skipped: `${event.step}${skipped}` } : {}),
        // listr2's timer shows the duration beside the title.
        finalTitle: moved === undefined ? event.step : `${event.step} (${moved})`,
      });
      return;
    }
    if (open === undefined) return;
    const mark = event.outcome === "finished" ? "✔" : event.outcome === "failed" ? "✖" : "↓";
    open.running = open.running.filter((s) => s !== event.step);
    this.writeLine(open, `${mark} ${event.step}${skipped} (${formatDuration(event.durationMs)}${moved === undefined ? "" : `, ${moved}`})`);
    this.drawTitle(open);
  }

  private progress(event: Extract<BootstrapEvent, { type: "upload-progress" }>): void {
    const now = this.now();
    const known = this.transfers.get(event.what);
    const transfer = known ?? { bytes: event.bytes, total: event.total, firstBytes: event.bytes, firstAt: now, drawnAt: Number.NEGATIVE_INFINITY };
    transfer.bytes = event.bytes;
    transfer.total = event.total;
    this.transfers.set(event.what, transfer);
    if (this.open === undefined || now - transfer.drawnAt < REDRAW_MS) return;
    transfer.drawnAt = now;
    this.drawTitle(this.open);
  }

  /** A running step's name, with its transfer when it has one. */
  private label(step: string): string {
    const t = this.transfers.get(step);
    if (t === undefined) return step;
    const elapsed = this.now() - t.firstAt;
    const rate = elapsed < RATE_AFTER_MS ? undefined : ((t.bytes - t.firstBytes) * 1000) / elapsed;
    return `${step} (${formatProgress(t.bytes, t.total, rate)})`;
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
    if (open.task === undefined) return;
    if (!open.isStage) {
      open.task.title = redact(this.label(open.title));
      return;
    }
    const now = open.running.length > 0 ? ` › ${open.running.map((step) => this.label(step)).join(", ")}` : "";
    open.task.title = redact(`${open.title}${now}`);
  }
}
