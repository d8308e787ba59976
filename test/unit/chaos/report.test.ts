import { describe, expect, it } from "vitest";
import { renderReportHtml, reportSummary, type ChaosReport } from "../../../chaos/index.js";

const report: ChaosReport = {
  v: 1,
  scenario: { name: "mixed", file: "/s/mixed.yaml", description: "a <script>alert(1)</script> test", seed: 3 },
  verdict: "fail",
  startedAt: "2026-11-23T14:00:00.000Z",
  durationMs: 60_000,
  machine: { cpu: "cpu", cores: 2, host: "h", loadAverage1m: 1.5 },
  job: { cluster: "c", mode: "async", ok: true, rowsTrained: 1000, rowsRepeated: 10, durationMs: 50_000, auc: 0.91, runDir: "/r" },
  faults: [
    { index: 0, kind: "kill", actor: "worker-0", actorKind: "worker", pid: 42, atMs: 5000, endedAtMs: 5000, backMs: 100, recoveryMs: 700 },
    { index: 1, kind: "partition", atMs: 9000, endedAtMs: 9000, skipped: "no namespaces" },
  ],
  faultsInjected: 1,
  faultsSkipped: 1,
  faultsNotReached: 2,
  recoveryByKind: { "kill worker": { n: 1, p50: 700, p99: 700, max: 700, unrecovered: 0 } },
  checkers: [
    { checker: "exactly-once", ok: false, summary: "3 rows differ", evidence: { rowsMismatched: 3 } },
    { checker: "liveness", ok: true, summary: "fine", evidence: {} },
  ],
  timeline: [{ t: 1000, rowsDone: 0, samplesPerSec: 0, loss: 0.7 }, { t: 2000, rowsDone: 500, samplesPerSec: 500, loss: 0.6 }],
  events: [{ t: 5000, text: "worker-0 exited (SIGKILL)" }],
};

describe("chaos reports", () => {
  it("summarise the verdict, fault counts and every checker in one object", () => {
    const s = reportSummary(report);
    expect(s).toMatchObject({ scenario: "mixed", seed: 3, verdict: "fail", faultsInjected: 1, faultsSkipped: 1, faultsNotReached: 2, skippedBecause: ["no namespaces"] });
    expect(s["checkers"]).toEqual({ "exactly-once": { ok: false, summary: "3 rows differ" }, liveness: { ok: true, summary: "fine" } });
    expect(s["faultsByKind"]).toEqual({ "kill worker": 1 });
  });

  it("render as one page with no script, escaping what came from files, with the fault on the timeline", () => {
    const html = renderReportHtml(report);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("&#60;script&#62;");
    expect(html).toContain("FAIL");
    expect(html).toContain("3 rows differ");
    expect(html).toContain("fault 0: kill worker-0");
    expect(html).toContain("skipped: no namespaces");
    expect((html.match(/<svg/g) ?? []).length).toBe(2);
  });
});

describe("chaos reports in Markdown", () => {
  it("carry the verdict, recovery per kind and every checker", async () => {
    const { renderReportMarkdown } = await import("../../../chaos/index.js");
    const md = renderReportMarkdown(report);
    expect(md).toMatch(/^# Chaos run: mixed — FAIL/);
    expect(md).toContain("| kill worker | 1 | 0.7 s | 0.7 s | 0.7 s | 0 |");
    expect(md).toContain("| exactly-once | **FAIL** | 3 rows differ |");
    expect(md).toContain("1 injected and survived, 1 skipped, 2 planned after the job's end");
  });
});
