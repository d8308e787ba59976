/**
 * The dashboard's single HTML page: no build step and no dependencies, so it is a
 * string. Its script subscribes to `/events` (server-sent events, one DashboardState
 * per poll) and redraws: the topology (hosts → actors with kind, state, pid and
 * partitions), loss and throughput curves, the shard-load heatmap over time (the
 * picture of rebalancing at work) and the event timeline.
 */

/** The page, for a cluster named `cluster`. */
export function dashboardPage(cluster: string): string {
  const title = `colony ${cluster.replace(/[^a-z0-9-]/g, "")}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>
 body{font:13px system-ui,sans-serif;margin:16px;background:#fafafa;color:#222}
 h1{font-size:18px;margin:0 0 4px} h2{font-size:14px;margin:16px 0 6px}
 .grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
 .card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px}
 table{border-collapse:collapse;width:100%} td,th{padding:2px 6px;text-align:left;border-bottom:1px solid #eee}
 .state-training,.state-serving{color:#07843b} .state-starting{color:#b7791f}
 #events li{font-family:ui-monospace,monospace;font-size:12px} svg{width:100%;background:#fff}
 #progress{color:#555}
</style></head>
<body>
<h1 id="title">${title}</h1><div id="progress">waiting for the first status…</div>
<div class="grid">
 <div class="card"><h2>topology</h2><div id="topology"></div></div>
 <div class="card"><h2>shard load (rows pulled + applied per second, over time)</h2><svg id="heatmap" viewBox="0 0 600 160" preserveAspectRatio="none"></svg></div>
 <div class="card"><h2>loss</h2><svg id="loss" viewBox="0 0 600 160" preserveAspectRatio="none"></svg></div>
 <div class="card"><h2>throughput (samples/s)</h2><svg id="throughput" viewBox="0 0 600 160" preserveAspectRatio="none"></svg></div>
 <div class="card"><h2>held-out AUC (live parameters; observability.evalEveryMs)</h2><svg id="auc" viewBox="0 0 600 160" preserveAspectRatio="none"></svg></div>
</div>
<div class="card"><h2>events</h2><ul id="events"></ul></div>
<script>
const NS = "http://www.w3.org/2000/svg";
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
function el(name, attrs) { const e = document.createElementNS(NS, name); for (const k in attrs) e.setAttribute(k, attrs[k]); return e; }
function curve(id, points, color) {
  const svg = document.getElementById(id); svg.replaceChildren();
  const ys = points.filter((p) => p !== null);
  if (ys.length < 1) return;
  const lo = Math.min(...ys), hi = Math.max(...ys), span = hi - lo || 1;
  const xs = (i) => (points.length < 2 ? 300 : (i / (points.length - 1)) * 590 + 5);
  // The top 24 units hold the label.
  const d = points.map((v, i) => v === null ? "" : xs(i).toFixed(1) + "," + (152 - ((v - lo) / span) * 128).toFixed(1)).filter(Boolean).join(" ");
  svg.appendChild(el("polyline", { points: d, fill: "none", stroke: color, "stroke-width": 2, "data-points": ys.length }));
  const label = el("text", { x: 8, y: 14, "font-size": 12, fill: "#555" }); label.textContent = "last " + ys.at(-1).toPrecision(4) + "  (min " + lo.toPrecision(3) + ", max " + hi.toPrecision(3) + ")";
  svg.appendChild(label);
}
function heatmap(h) {
  const svg = document.getElementById("heatmap"); svg.replaceChildren();
  const cols = h.columns, rows = h.shards; if (!cols.length || !rows.length) return;
  const max = Math.max(1, ...cols.flatMap((c) => c.load.filter((v) => v !== null)));
  const w = 560 / cols.length, rh = 150 / rows.length;
  rows.forEach((id, r) => { const t = el("text", { x: 2, y: r * rh + rh / 2 + 4, "font-size": 10 }); t.textContent = id; svg.appendChild(t); });
  cols.forEach((c, i) => c.load.forEach((v, r) => {
    const a = v === null ? 0 : v / max;
    svg.appendChild(el("rect", { x: 40 + i * w, y: r * rh, width: Math.max(w, 0.5), height: rh - 1, fill: "rgba(214,69,65," + a.toFixed(3) + ")", class: "cell" }));
  }));
}
function topology(s) {
  const hosts = {};
  for (const m of s.members) (hosts[m.host || "?"] ??= []).push(m);
  let html = "";
  for (const host of Object.keys(hosts).sort()) {
    html += "<b>host " + esc(host) + "</b><table><tr><th>actor</th><th>kind</th><th>state</th><th>pid</th><th>restarts</th><th>partitions</th></tr>";
    for (const m of hosts[host]) html += '<tr class="member" data-id="' + esc(m.id) + '"><td>' + esc(m.id) + "</td><td>" + esc(m.kind) + '</td><td class="state-' + esc(m.state.split(".")[0]) + '">' + esc(m.state) + "</td><td>" + m.pid + "</td><td>" + m.restarts + "</td><td>" + (m.kind === "shard" ? (s.partitions[m.id] ?? 0) : "") + "</td></tr>";
    html += "</table>";
  }
  document.getElementById("topology").innerHTML = html;
}
function draw(state) {
  const s = state.status, p = s.progress;
  document.getElementById("progress").textContent = p
    ? "epoch " + (p.epoch + 1) + "/" + p.epochs + " · rows " + p.rowsDone.toLocaleString() + "/" + p.rowsTotal.toLocaleString() + " · " + Math.round(p.samplesPerSec).toLocaleString() + " samples/s · loss " + p.loss.toFixed(4) + (p.heldOut ? " · held-out AUC " + p.heldOut.auc.toFixed(4) : "") + " · map epoch " + s.mapEpoch + " · restarts " + s.restarts
    : "not training yet";
  topology(s);
  curve("loss", state.curve.map((c) => c.loss), "#d64541");
  curve("throughput", state.curve.map((c) => c.samplesPerSec), "#2b6cb0");
  curve("auc", state.curve.map((c) => c.evalAuc ?? null), "#07843b");
  heatmap(state.heatmap);
  document.getElementById("events").innerHTML = s.events.slice(-20).reverse().map((e) => "<li>" + esc(e) + "</li>").join("");
  document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
}
const source = new EventSource("events");
source.onmessage = (e) => draw(JSON.parse(e.data));
source.addEventListener("stopped", () => { document.getElementById("progress").textContent += " · cluster stopped"; source.close(); });
</script></body></html>
`;
}
