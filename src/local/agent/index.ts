/**
 * The local stemcell's agent (a program: main.ts, bundled into the stemcell as agent.js). No
 * other part imports it; what a host needs to run it in-process is its command line and start.
 */
export { startAgent } from "./agent.js";
export type { RunningAgent } from "./agent.js";
export { parseAgentArgs } from "./cli-args.js";
export type { AgentArgs } from "./cli-args.js";
