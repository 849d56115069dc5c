/**
 * How durations and transfers read in every renderer: bosh's HH:MM:SS, and sizes in binary
 * units ("4.0 MiB at 2.0 MiB/s"), so a download's figures look the same in a log as on a terminal.
 */
import { formatBytes } from "../../common/index.js";

/** Durations as bosh prints them: whole seconds, HH:MM:SS. */
export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h, m, s].map((n) => String(n).padStart(2, "0")).join(":");
}

/** What a finished step moved and its mean rate over the step: "4.0 MiB at 2.0 MiB/s". */
export function formatTransfer(bytes: number, durationMs: number): string {
  return `${formatBytes(bytes)} at ${formatBytes((bytes * 1000) / Math.max(durationMs, 1))}/s`;
}

/** A transfer under way: "1.0 MiB of 4.0 MiB at 512.0 KiB/s", each part when it is known. */
export function formatProgress(bytes: number, total: number | undefined, bytesPerSecond: number | undefined): string {
  const size = total === undefined ? formatBytes(bytes) : `${formatBytes(bytes)} of ${formatBytes(total)}`;
  return bytesPerSecond === undefined ? size : `${size} at ${formatBytes(bytesPerSecond)}/s`;
}
