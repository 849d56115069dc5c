/**
 * bosh-style lines for logs and CI (no TTY): `  Creating VM... Finished (00:00:03)`. A step's
 * line is opened when it starts and closed when it ends; when steps overlap (packages compile
 * two at a time) each finished step gets a whole line of its own instead.
 */
import { redact } from "../../common/index.js";
import type { BootstrapEvent, EventSink } from "../../bootstrap/index.js";
import { formatDuration, formatTransfer } from "./format.js";

export class PlainRenderer implements EventSink {
  private openLine: string | undefined;
  private readonly running = new Set<string>();
  /** Bytes a step has moved so far (downloads): its line ends with the size and the rate. */
  private readonly moved = new Map<string, number>();
  private inStage = false;
  private afterStage = false;

  constructor(private readonly out: NodeJS.WritableStream) {}

  emit(event: BootstrapEvent): void {
    switch (event.type) {
      case "info":
        this.line(event.message);
        break;
      case "warning":
        this.line(`Warning: ${event.message}`);
        break;
      case "stage-started":
        this.line("");
        this.line(`Started ${event.stage}`);
        this.inStage = true;
        break;
      case "stage-finished":
        this.line(`${event.outcome === "finished" ? "Finished" : "Failed"} ${event.stage} (${formatDuration(event.durationMs)})`);
        this.inStage = false;
        this.afterStage = true;
        break;
      case "step-started":
        if (!this.inStage && this.afterStage) {
          this.closeOpenLine();
          this.write("\n");
          this.afterStage = false;
        }
        // Overlapping steps are shown whole when they end, so lines never interleave.
        if (this.running.size === 0) {
          this.closeOpenLine();
          this.openLine = event.step;
          this.write(`${this.indent()}${event.step}...`);
        }
        this.running.add(event.step);
        break;
      case "step-finished": {
        this.running.delete(event.step);
        const outcome =
          event.outcome === "finished" ? "Finished" : event.outcome === "failed" ? "Failed" : `Skipped [${event.reason ?? ""}]`;
        const bytes = this.moved.get(event.step);
        this.moved.delete(event.step);
        const rate = bytes === undefined || event.outcome !== "finished" ? "" : `, ${formatTransfer(bytes, event.durationMs)}`;
        const tail = ` ${outcome} (${formatDuration(event.durationMs)}${rate})\n`;
        if (this.openLine === event.step) {
          this.write(tail);
          this.openLine = undefined;
        } else {
          this.closeOpenLine();
          this.write(`${this.indent()}${event.step}...${tail}`);
        }
        break;
      }
      // The plan's steps show as the step lines they start; `--json` carries them for machines.
      case "plan-step":
      case "result":
      case "cpi-call":
      case "compile-package":
        break;
      case "upload-progress":
        this.moved.set(event.what, event.bytes);
        break;
    }
  }

  private indent(): string {
    return this.inStage ? "  " : "";
  }

  private closeOpenLine(): void {
    if (this.openLine !== undefined) {
      this.write("\n");
      this.openLine = undefined;
    }
  }

  private line(text: string): void {
    this.closeOpenLine();
    this.write(`${text}\n`);
  }

  private write(text: string): void {
    this.out.write(redact(text));
  }
}
