/**
 * Where variable values come from. A source answers `get(definition)`; the static source (flags)
 * is asked first and the vars store second, so a value given on the command line is never
 * generated. Only the store generates, and only for definitions that carry a `type`.
 */
import { isRecord } from "../../common/index.js";

export interface VariableDefinition {
  name: string;
  type?: string;
  options?: unknown;
}

export type Lookup = { found: true; value: unknown } | { found: false };

export interface VariableSource {
  get(definition: VariableDefinition): Promise<Lookup>;
  /** Names this source holds (for --var-errs-unused). */
  names(): string[];
}

/**
 * Values from -v/-l/--var-file/--vars-env. A dotted name (`-v a.b=1`) nests, as bosh-cli's
 * StaticVariables does, so `((a.b))` finds it.
 */
export class StaticSource implements VariableSource {
  private readonly values: Record<string, unknown> = {};

  constructor(flat: Record<string, unknown>) {
    for (const [name, value] of Object.entries(flat)) {
      const pieces = name.split(".");
      let target = this.values;
      for (const piece of pieces.slice(0, -1)) {
        if (!isRecord(target[piece])) target[piece] = {};
        target = target[piece] as Record<string, unknown>;
      }
      target[pieces[pieces.length - 1] as string] = value;
    }
  }

  get(definition: VariableDefinition): Promise<Lookup> {
    return Promise.resolve(this.has(definition.name) ? { found: true, value: this.values[definition.name] } : { found: false });
  }

  has(name: string): boolean {
    return Object.hasOwn(this.values, name);
  }

  names(): string[] {
    return Object.keys(this.values);
  }

  all(): Record<string, unknown> {
    return this.values;
  }
}

export class MultiSource implements VariableSource {
  constructor(private readonly sources: readonly VariableSource[]) {}

  async get(definition: VariableDefinition): Promise<Lookup> {
    for (const source of this.sources) {
      const result = await source.get(definition);
      if (result.found) return result;
    }
    return { found: false };
  }

  names(): string[] {
    return this.sources.flatMap((s) => s.names());
  }
}
