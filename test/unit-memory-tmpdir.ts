/**
 * The unit layer's temp files go to the run's in-memory dir when the global setup made one
 * (see test/global-setup.ts): os.tmpdir() reads TMPDIR at each call, and each worker thread
 * has its own copy of the environment, so this changes nothing outside the unit workers.
 */
import { MEMORY_DIR } from "./global-setup.js";

const memoryDir = process.env[MEMORY_DIR];
if (memoryDir !== undefined) process.env["TMPDIR"] = memoryDir;
