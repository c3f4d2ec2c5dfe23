// nexus UI: report upload through the API, list loading, case documents
// and the case network graph. Texts come in the user's language from the
// page (`data-texts` on <body>, from locales/*.txt).
"use strict";

let TEXTS = {};
function tr(key, ...args) {
  let text = TEXTS[key] || key;
  args.forEach((a, i) => { text = text.replace("{" + i + "}", a); });
  return text;
}

document.addEventListener("DOMContentLoaded", () => {
  try { TEXTS = JSON.parse(document.body.dataset.texts || "{}"); } catch (e) { TEXTS = {}; }
  const lists = document.getElementById("list-upload");
  if (lists) lists.addEventListener("submit", loadList);
  const upload = document.getElementById("upload");
  if (upload) upload.addEventListener("submit", uploadReport);
  const graph = document.getElementById("graph");
  if (graph) loadGraph(graph);
  const attach = document.getElementById("document-upload");
  if (attach) attach.addEventListener("submit", attachDocument);
});

async function attachDocument(event) {
  event.preventDefault();
  const form = event.target;
  const file = document.getElementById("document").files[0];
  if (!file) return;
  const response = await fetch("/cases/" + form.dataset.case + "/documents", {
    method: "POST",
    headers: { "Content-Type": file.type || "application/octet-stream", "X-Filename": encodeURIComponent(file.name), "X-CSRF-Token": form.dataset.csrf },
    body: file,
    credentials: "same-origin",
  });
  if (response.ok) { window.location.reload(); return; }
  let message = response.statusText;
  try { const body = await response.json(); message = body.error_text || body.error; } catch (e) {}
  const p = document.createElement("p");
  p.className = "error";
  p.textContent = message;
  form.after(p);
}

async function loadList(event) {
  event.preventDefault();
  const form = event.target;
  const file = document.getElementById("list-file").files[0];
  const out = document.getElementById("list-result");
  if (!file) return;
  out.textContent = tr("uploading") + " " + file.name + " …";
  const response = await fetch("/admin/lists", {
    method: "POST",
    headers: { "Content-Type": "application/octet-stream", "X-Filename": encodeURIComponent(file.name),
      "X-List-Name": encodeURIComponent(document.getElementById("list-name").value), "X-CSRF-Token": form.dataset.csrf },
    body: file,
    credentials: "same-origin",
  });
  let body;
  try { body = await response.json(); } catch (e) { body = { error: response.statusText }; }
  out.textContent = "";
  const p = document.createElement("p");
  p.id = "list-status";
  if (response.ok) {
    p.className = "ok";
    p.textContent = tr("list_loaded", body.entries, body.skipped, body.alerts_raised);
    out.appendChild(p);
    setTimeout(() => window.location.reload(), 1500);
  } else {
    p.className = "error";
    p.textContent = body.error_text || body.error || response.statusText;
    out.appendChild(p);
  }
}

async function uploadReport(event) {
  event.preventDefault();
  const form = event.target;
  const file = document.getElementById("file").files[0];
  const out = document.getElementById("upload-result");
  if (!file) return;
  const lower = file.name.toLowerCase();
  const csv = lower.endsWith(".csv");
  const type = lower.endsWith(".zip") ? "application/zip" : csv ? "text/csv" : "application/xml";
  out.textContent = tr("uploading") + " " + file.name + " …";
  const response = await fetch(csv ? "/api/v1/transactions" : "/api/v1/reports", {
    method: "POST",
    headers: { "Content-Type": type, "X-CSRF-Token": form.dataset.csrf },
    body: file,
    credentials: "same-origin",
  });
  let body;
  try { body = await response.json(); } catch (e) { body = { error: response.statusText }; }
  const reports = body.reports || (body.report_id ? [body] : []);
  out.innerHTML = "";
  if (csv && body.rows !== undefined) {
    const p = document.createElement("p");
    p.id = "upload-status";
    p.className = "status processed";
    p.textContent = tr("accepted", body.accepted, body.rows);
    out.appendChild(p);
  }
  if (body.problems && body.problems.length && !body.report_id) {
    const ul = document.createElement("ul");
    for (const p of body.problems) {
      const li = document.createElement("li");
      li.textContent = (p.line ? tr("line") + " " + p.line + ": " : "") + p.message;
      ul.appendChild(li);
    }
    out.appendChild(ul);
  }
  if (body.error) {
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = body.error_text || body.error;
    out.appendChild(p);
  }
  for (const r of reports) {
    const div = document.createElement("div");
    div.className = "message";
    const title = document.createElement("p");
    title.innerHTML = "";
    const link = document.createElement("a");
    link.href = "/reports/" + r.report_id;
    link.textContent = r.entity_reference;
    title.appendChild(link);
    title.append(": ");
    const status = document.createElement("span");
    status.className = "status " + r.status;
    status.textContent = tr("status_" + r.status) + (r.duplicate ? " (" + tr("already") + ")" : "");
    status.id = "upload-status";
    title.appendChild(status);
    title.append(" — " + (r.message_text || r.message));
    div.appendChild(title);
    if (r.problems && r.problems.length) {
      const ul = document.createElement("ul");
      for (const p of r.problems) {
        const li = document.createElement("li");
        li.textContent = tr("line") + " " + p.line + ": " + p.path + ": " + p.message;
        ul.appendChild(li);
      }
      div.appendChild(ul);
    }
    out.appendChild(div);
  }
}

// The case graph on Cytoscape.js (vendored, loaded only where a graph is):
// one node per party with its accounts inside, subjects red, counterparties
// blue, accounts outside the case grey; edges sum the payments between two
// accounts inside the chosen period, their width by US dollars (log scale);
// double-click an account to add its other payments, a party to open it.
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src; s.onload = resolve; s.onerror = reject;
    document.head.appendChild(s);
  });
}

async function loadGraph(container) {
  const response = await fetch(container.dataset.src, { credentials: "same-origin" });
  if (!response.ok) { container.textContent = tr("graph_failed") + " (" + response.status + ")."; return; }
  const data = await response.json();
  container.dataset.fetchedMs = String(Math.round(performance.now()));
  if (!data.links.length) { container.textContent = tr("graph_empty"); return; }
  await loadScript("/static/cytoscape.min.js");
  await loadScript("/static/cytoscape-fcose.js");
  window.cytoscape.use(window.cytoscapeFcose);
  const day = t => new Date(t * 1000).toISOString().slice(0, 10);
  const state = { accounts: new Map(), parties: new Map(), links: new Map() };
  function merge(d) {
    for (const p of d.parties) if (!state.parties.has(p.id)) state.parties.set(p.id, p);
    for (const a of d.accounts) if (!state.accounts.has(a.id)) state.accounts.set(a.id, a);
    for (const l of d.links) state.links.set(l.source + ">" + l.target + "@" + l.at + "#" + l.reference, l);
  }
  merge(data);
  const controls = document.createElement("div");
  controls.className = "graph-controls";
  const label = (text, id) => {
    const l = document.createElement("label");
    const input = document.createElement("input");
    input.type = "date"; input.id = id;
    l.append(text + " ", input);
    return l;
  };
  const summary = document.createElement("span");
  summary.id = "graph-summary";
  controls.append(label(container.dataset.from || "From", "graph-from"), " ", label(container.dataset.to || "to", "graph-to"), " ", summary);
  container.appendChild(controls);
  const canvas = document.createElement("div");
  canvas.className = "graph-canvas";
  container.appendChild(canvas);
  const from = controls.querySelector("#graph-from"), to = controls.querySelector("#graph-to");
  const times = [...state.links.values()].map(l => l.at);
  from.value = day(Math.min(...times)); to.value = day(Math.max(...times));
  const colour = { subject: "#a3161a", counterparty: "#0b5cad", outside: "#7a858f" };
  const cy = window.cytoscape({
    container: canvas,
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 2.5,
    style: [
      { selector: "node.party", style: { "background-color": "#f3f5f7", "border-color": "data(colour)", "border-width": 2, label: "data(label)", "text-valign": "top", "font-size": 11, shape: "round-rectangle", "min-zoomed-font-size": 6 } },
      { selector: "node.account", style: { "background-color": "data(colour)", width: 14, height: 14, label: "data(label)", "font-size": 8, "min-zoomed-font-size": 8, color: "#333" } },
      { selector: "edge", style: { width: "data(width)", "line-color": "#5b6670", "target-arrow-color": "#5b6670", "target-arrow-shape": "triangle", "curve-style": "bezier", opacity: 0.8 } },
      { selector: ":selected", style: { "overlay-opacity": 0.15 } },
    ],
  });
  window.nexusGraph = cy;
  function nodes() {
    const els = [];
    for (const p of state.parties.values()) if (!cy.getElementById(p.id).length) {
      els.push({ group: "nodes", classes: "party", data: { id: p.id, label: p.label, entity: p.entity, colour: colour[p.role] || colour.outside } });
    }
    for (const a of state.accounts.values()) if (!cy.getElementById(a.id).length) {
      const d = { id: a.id, label: a.id.split("|").pop(), key: a.id, colour: colour[a.role] || colour.outside };
      if (a.party && state.parties.has(a.party)) d.parent = a.party;
      els.push({ group: "nodes", classes: "account", data: d });
    }
    return els;
  }
  function edges() {
    const lo = Date.parse(from.value) / 1000, hi = Date.parse(to.value) / 1000 + 86400;
    const sums = new Map();
    for (const l of state.links.values()) {
      if (l.at < lo || l.at >= hi) continue;
      const k = l.source + ">" + l.target;
      const s = sums.get(k) || { source: l.source, target: l.target, usd: 0, count: 0, first: l.at, last: l.at };
      s.usd += l.usd; s.count += 1; s.first = Math.min(s.first, l.at); s.last = Math.max(s.last, l.at);
      sums.set(k, s);
    }
    return [...sums.values()].map(s => ({ group: "edges", data: { id: s.source + ">" + s.target, source: s.source, target: s.target,
      width: 1 + Math.log10(1 + s.usd) * 1.2, title: s.count + " " + tr("payments") + ", USD " + Math.round(s.usd).toLocaleString("en") + ", " + day(s.first) + " – " + day(s.last) } }));
  }
  function redraw(layout) {
    cy.batch(() => { cy.add(nodes()); cy.edges().remove(); cy.add(edges()); });
    const shown = cy.edges().length;
    controls.querySelector("#graph-summary").textContent = tr("graph_summary", cy.nodes(".account").length, shown);
    // fCoSE: a spectral start, then a compound spring embedder (with less
    // energy for large cases, which settle sooner).
    const t0 = performance.now();
    if (layout) {
      // The layout's random choices from a fixed seed: the same case is
      // drawn the same way on every load.
      const random = Math.random;
      let seed = 42;
      Math.random = () => { seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
      try {
        cy.layout({ name: "fcose", quality: "default", initialEnergyOnIncremental: state.accounts.size > 200 ? 0.1 : 0.3,
          randomize: true, samplingType: true, animate: false, nodeRepulsion: () => 6500, idealEdgeLength: () => 60,
          nodeSeparation: 60, packComponents: true, padding: 30 }).run();
      } finally { Math.random = random; }
    }
    // Milliseconds from navigation to the first drawn graph (measured by
    // the browser test at 500 accounts).
    if (!container.dataset.ms) {
      container.dataset.ms = String(Math.round(performance.now()));
      container.dataset.layoutMs = String(Math.round(performance.now() - t0));
    }
    container.dataset.ready = String(cy.nodes(".account").length);
    container.dataset.edges = String(shown);
  }
  cy.on("mouseover", "edge", e => { canvas.title = e.target.data("title"); });
  cy.on("mouseover", "node.account", e => { canvas.title = e.target.data("key"); });
  cy.on("dblclick", "node.party", e => { if (e.target.data("entity")) window.location = "/entities/" + e.target.data("entity"); });
  cy.on("dblclick", "node.account", async e => {
    const r = await fetch(container.dataset.src + "?expand=" + encodeURIComponent(e.target.data("key")), { credentials: "same-origin" });
    if (!r.ok) return;
    merge(await r.json());
    redraw(true);
  });
  from.addEventListener("change", () => redraw(false));
  to.addEventListener("change", () => redraw(false));
  redraw(true);
}
