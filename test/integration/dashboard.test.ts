import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { DashboardState } from "../../bin/dashboard/dashboard-state.js";
import { runColony, startColony, type ColonyProcess } from "../helpers/colony-cli.js";
import { ctrFile } from "../helpers/ctr-data.js";

const CHROMIUM = "/usr/bin/chromium";

beforeAll(() => {
  process.env["COLONY_HOME"] = mkdtempSync(join(tmpdir(), "colony-home-"));
});

function startJob(cluster: string): ColonyProcess {
  return startColony(["up", "examples/ctr.yaml", "--run-dir", mkdtempSync(join(tmpdir(), `colony-${cluster}-`)), "--json",
    "--set", `cluster=${cluster}`, "--set", `job.data.path=${ctrFile(200_000, 1)}`, "--set", `job.data.eval=${ctrFile(10_000, 2)}`,
    "--set", "job.batch=512", "--set", "job.data.rowsPerTask=4096", "--set", "supervision.heartbeatTimeoutMs=20000",
    "--set", "observability.evalEveryMs=1000", "--set", "observability.evalRows=1000"]);
}

/** Starts `colony dashboard` for a training cluster and resolves with its URL. */
async function startDashboard(cluster: string): Promise<{ dash: ColonyProcess; url: string }> {
  const dash = startColony(["dashboard", "--cluster", cluster, "--port", "0", "--interval", "500"]);
  const line = await dash.waitForOutput(/dashboard of cluster .* at http/, 30_000);
  return { dash, url: /(http:\/\/\S+)/.exec(line)![1]! };
}

/** Reads `count` server-sent `message` events from `url`. */
async function readEvents(url: string, count: number): Promise<DashboardState[]> {
  const res = await fetch(url);
  const reader = res.body!.getReader();
  const got: DashboardState[] = [];
  let buf = "";
  while (got.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += new TextDecoder().decode(value);
    let i: number;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (block.startsWith("data: ")) got.push(JSON.parse(block.slice(6)) as DashboardState);
    }
  }
  await reader.cancel();
  return got;
}

describe("colony dashboard", () => {
  it("serves the page and a live event stream whose curves and shard-load heatmap grow while the job trains", async () => {
    const job = startJob("dash");
    await job.waitForOutput(/"msg":"progress"/, 90_000);
    const { dash, url } = await startDashboard("dash");
    const page = await (await fetch(url)).text();
    expect(page).toContain('<svg id="heatmap"');
    expect(page).toContain('new EventSource("events")');

    const events = await readEvents(`${url}events`, 4);
    expect(events.length).toBe(4);
    const first = events[0]!;
    const last = events.at(-1)!;
    expect(last.curve.length).toBeGreaterThan(first.curve.length);
    expect(last.status.members.map((m) => m.id).sort()).toEqual(["coordinator", "shard-0", "shard-1", "worker-0", "worker-1"]);
    expect(last.heatmap.shards).toEqual(["shard-0", "shard-1"]);
    expect(last.heatmap.columns.at(-1)!.load.some((v) => v !== null && v > 0)).toBe(true);
    const state = (await (await fetch(`${url}state`)).json()) as DashboardState;
    expect(state.status.cluster).toBe("dash");
    // The held-out AUC curve fills in once the coordinator's evaluations (every second here) arrive.
    let aucs: number[] = [];
    for (const deadline = Date.now() + 30_000; aucs.length < 2 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      const now = (await (await fetch(`${url}state`)).json()) as DashboardState;
      aucs = now.curve.flatMap((c) => (c.evalAuc === null ? [] : [c.evalAuc]));
    }
    expect(aucs.length).toBeGreaterThanOrEqual(2);
    for (const a of aucs) expect(a).toBeGreaterThan(0.3);
    for (const a of aucs) expect(a).toBeLessThanOrEqual(1);

    dash.child.kill("SIGINT");
    expect((await dash.done).code).toBe(0);
    expect((await runColony(["down", "--cluster", "dash"])).code).toBe(0);
    expect((await job.done).code).toBe(0);
  });

  it.skipIf(!existsSync(CHROMIUM))("shows the topology and a loss curve that moves in headless Chromium, and its screenshot is not blank", async () => {
    const job = startJob("dashweb");
    await job.waitForOutput(/"msg":"progress"/, 90_000);
    const { dash, url } = await startDashboard("dashweb");
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(url);
      await page.waitForFunction(() => Number(document.body.dataset["updates"] ?? 0) >= 2, undefined, { timeout: 30_000 });
      expect(await page.locator("tr.member").count()).toBe(5);
      expect(await page.locator("#topology").textContent()).toMatch(/shard-0.*shard.*serving/s);
      const points = async (): Promise<string> => (await page.locator("#loss polyline").getAttribute("points")) ?? "";
      const before = await points();
      await page.waitForFunction((b) => document.querySelector("#loss polyline")?.getAttribute("points") !== b, before, { timeout: 30_000 });
      expect(await points()).not.toBe(before);
      expect(await page.locator("#heatmap rect.cell").count()).toBeGreaterThan(0);
      await page.waitForSelector("#auc polyline", { timeout: 30_000 });
      expect(await page.locator("#progress").textContent()).toMatch(/held-out AUC 0\.\d{4}/);

      const png = await page.screenshot({ fullPage: true });
      const file = join(mkdtempSync(join(tmpdir(), "colony-dashboard-")), "dashboard.png");
      writeFileSync(file, png);
      // Not blank: decode the screenshot in the browser and count the colours it uses.
      const colours = await page.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement("canvas");
        c.width = img.width;
        c.height = img.height;
        const g = c.getContext("2d")!;
        g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
        return seen.size;
      }, png.toString("base64"));
      expect(colours, `screenshot ${file}`).toBeGreaterThan(20);
    } finally {
      await browser.close();
      dash.child.kill("SIGINT");
      await dash.done;
      await runColony(["down", "--cluster", "dashweb"]);
      await job.done;
    }
  });
});
