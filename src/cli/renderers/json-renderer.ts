/** `--json`: one JSON object per event and line, with a timestamp, for machines. */
import { redact } from "../../common/index.js";
import type { BootstrapEvent, EventSink } from "../../bootstrap/index.js";

export class JsonRenderer implements EventSink {
  constructor(private readonly out: NodeJS.WritableStream) {}

  emit(event: BootstrapEvent): void {
    this.out.write(`${redact(JSON.stringify({ time: new Date().toISOString(), ...event }))}\n`);
  }
}
