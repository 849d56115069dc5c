/**
 * The unit layer reuses its workers across files (no per-file isolation: importing the Ruby VM
 * and the CLI's modules once per worker instead of once per file is most of its speed). The
 * one module state a test file can leave behind that changes another's results is redact()'s
 * set of registered secrets, so each file starts with it empty, as it would in a fresh worker.
 */
import { beforeAll } from "vitest";
import { clearRegisteredSecrets } from "../src/common/index.js";

beforeAll(() => clearRegisteredSecrets());
