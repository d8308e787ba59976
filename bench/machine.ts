/**
 * What a benchmark ran on: CPU model and core count, memory, OS, Node and nats-server
 * versions, load average and the date. Every result file records it, because numbers
 * from different machines (or from a busy one) are not comparable. Detection never
 * throws: what can't be read is recorded as "unknown".
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The machine a benchmark ran on. */
export interface MachineInfo {
  /** CPU model name, e.g. "AMD EPYC 7B13". */
  readonly cpu: string;
  /** Logical CPUs the OS reports. */
  readonly cores: number;
  readonly totalMemoryBytes: number;
  /** OS name and version (from /etc/os-release when present), kernel and architecture. */
  readonly os: string;
  readonly node: string;
  /** `nats-server --version` output, e.g. "v2.9.10"; "unknown" when not found. */
  readonly natsServer: string;
  /** One-minute load average when detected; other work on a small machine moves every number. */
  readonly loadAverage1m: number;
  /** ISO time of detection. */
  readonly date: string;
}

/** Where Debian and the official tarballs put nats-server; /usr/sbin is often off PATH. */
const EXTRA_BIN_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/usr/bin"];

/** Describes this machine now; never throws. */
export function detectMachine(): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: os.cpus().length,
    totalMemoryBytes: os.totalmem(),
    os: osName(),
    node: process.version,
    natsServer: natsServerVersion(),
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    date: new Date().toISOString(),
  };
}

/** One line for a markdown file or a log: "AMD EPYC, 2 cores, 23.5 GiB, Debian 12, Node v20…, nats-server v2.9.10". */
export function describeMachine(m: MachineInfo): string {
  const gib = (m.totalMemoryBytes / 2 ** 30).toFixed(1);
  return `${m.cpu}, ${m.cores} cores, ${gib} GiB RAM, ${m.os}, Node ${m.node}, nats-server ${m.natsServer}`;
}

function cpuModel(): string {
  const fromNode = os.cpus()[0]?.model.trim();
  // Node reports only what /proc/cpuinfo has; some VMs leave it bare ("AMD EPYC"), which is still better than nothing.
  return fromNode !== undefined && fromNode !== "" ? fromNode.replace(/\s+/g, " ") : "unknown";
}

function osName(): string {
  const kernel = `${os.type()} ${os.release()} ${os.arch()}`;
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1];
    return pretty !== undefined ? `${pretty} (${kernel})` : kernel;
  } catch {
    return kernel;
  }
}

function natsServerVersion(): string {
  const dirs = [...(process.env["PATH"] ?? "").split(path.delimiter).filter((d) => d !== ""), ...EXTRA_BIN_DIRS];
  const binary = [...new Set(dirs)].map((d) => path.join(d, "nats-server")).find((p) => existsSync(p));
  if (binary === undefined) return "unknown";
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 5000 });
  // Prints "nats-server: v2.9.10".
  const version = /v\d+\.\d+\.\d+\S*/.exec(`${probe.stdout ?? ""} ${probe.stderr ?? ""}`)?.[0];
  return version ?? "unknown";
}
