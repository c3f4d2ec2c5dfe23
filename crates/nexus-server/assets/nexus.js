// nexus UI: report upload through the API, and the case network graph.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
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
  try { message = (await response.json()).error; } catch (e) {}
  const p = document.createElement("p");
  p.className = "error";
  p.textContent = message;
  form.after(p);
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
  out.textContent = "Uploading " + file.name + " …";
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
    p.textContent = "accepted: " + body.accepted + " of " + body.rows + " rows";
    out.appendChild(p);
  }
  if (body.problems && body.problems.length && !body.report_id) {
    const ul = document.createElement("ul");
    for (const p of body.problems) {
      const li = document.createElement("li");
      li.textContent = (p.line ? "line " + p.line + ": " : "") + p.message;
      ul.appendChild(li);
    }
    out.appendChild(ul);
  }
  if (body.error) {
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = body.error;
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
    status.textContent = r.status + (r.duplicate ? " (already received)" : "");
    status.id = "upload-status";
    title.appendChild(status);
    title.append(" — " + r.message);
    div.appendChild(title);
    if (r.problems && r.problems.length) {
      const ul = document.createElement("ul");
      for (const p of r.problems) {
        const li = document.createElement("li");
        li.textContent = "line " + p.line + ": " + p.path + ": " + p.message;
        ul.appendChild(li);
      }
      div.appendChild(ul);
    }
    out.appendChild(div);
  }
}

async function loadGraph(container) {
  const response = await fetch(container.dataset.src, { credentials: "same-origin" });
  if (!response.ok) { container.textContent = "The graph could not be loaded (" + response.status + ")."; return; }
  const data = await response.json();
  if (!data.links.length) { container.textContent = "No transactions of the case's entities yet."; return; }
  const times = data.links.map(l => l.at);
  const t0 = Math.min(...times), t1 = Math.max(...times);
  const controls = document.createElement("div");
  controls.innerHTML = '<label>Up to <input type=range id=until min=0 max=1000 value=1000> <span id=until-label></span></label>';
  container.appendChild(controls);
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 1000 480");
  container.appendChild(svg);
  const tip = document.createElement("div");
  tip.className = "tip"; tip.style.display = "none";
  container.appendChild(tip);
  const defs = document.createElementNS(NS, "defs");
  defs.innerHTML = '<marker id=arrow viewBox="0 0 10 10" refX=22 refY=5 markerWidth=10 markerHeight=10 markerUnits=userSpaceOnUse orient=auto><path d="M0,0L10,5L0,10z" fill="#5b6670"/></marker>';
  svg.appendChild(defs);
  const nodes = data.nodes.map((n, i) => ({ ...n, x: 500 + 300 * Math.cos(i * 2.4), y: 240 + 180 * Math.sin(i * 2.4), vx: 0, vy: 0 }));
  const byId = new Map(nodes.map(n => [n.id, n]));
  const links = data.links.map(l => ({ ...l, s: byId.get(l.source), t: byId.get(l.target) })).filter(l => l.s && l.t);
  const maxAmount = Math.max(...links.map(l => l.amount));
  // A few hundred steps of a simple force layout: springs on links, repulsion between nodes.
  for (let step = 0; step < 300; step++) {
    for (const a of nodes) for (const b of nodes) {
      if (a === b) continue;
      const dx = a.x - b.x, dy = a.y - b.y, d2 = dx * dx + dy * dy + 0.01;
      const f = 900 / d2; a.vx += dx * f; a.vy += dy * f;
    }
    for (const l of links) {
      const dx = l.t.x - l.s.x, dy = l.t.y - l.s.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01;
      const f = (d - 90) * 0.01; l.s.vx += dx / d * f * d * 0.1; l.s.vy += dy / d * f * d * 0.1; l.t.vx -= dx / d * f * d * 0.1; l.t.vy -= dy / d * f * d * 0.1;
    }
    for (const n of nodes) {
      n.vx += (500 - n.x) * 0.002; n.vy += (240 - n.y) * 0.002;
      n.x = Math.max(20, Math.min(980, n.x + Math.max(-20, Math.min(20, n.vx)))); n.y = Math.max(20, Math.min(460, n.y + Math.max(-20, Math.min(20, n.vy))));
      n.vx *= 0.5; n.vy *= 0.5;
    }
  }
  // Fit the layout into the view: centred, scaled down when it spreads too far.
  const xs = nodes.map(n => n.x), ys = nodes.map(n => n.y);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const scale = Math.min(1, 860 / Math.max(1, maxX - minX), 380 / Math.max(1, maxY - minY));
  for (const n of nodes) {
    n.x = 500 + (n.x - (minX + maxX) / 2) * scale;
    n.y = 250 + (n.y - (minY + maxY) / 2) * scale;
  }
  const edgeEls = links.map(l => {
    const line = document.createElementNS(NS, "line");
    line.setAttribute("stroke", "#5b6670");
    line.setAttribute("stroke-width", String(1 + 4 * l.amount / maxAmount));
    line.setAttribute("marker-end", "url(#arrow)");
    line.classList.add("edge");
    line.addEventListener("mousemove", e => showTip(e, new Date(l.at * 1000).toISOString().slice(0, 16).replace("T", " ") + " · " + l.amount.toLocaleString() + " " + l.currency + " · " + l.reference));
    line.addEventListener("mouseleave", () => tip.style.display = "none");
    svg.appendChild(line);
    return line;
  });
  const nodeEls = nodes.map(n => {
    const g = document.createElementNS(NS, "g");
    g.classList.add("node");
    const c = document.createElementNS(NS, "circle");
    c.setAttribute("r", n.in_case ? 11 : 7);
    c.setAttribute("fill", n.in_case ? "#a3161a" : "#0b5cad");
    const t = document.createElementNS(NS, "text");
    t.setAttribute("x", 13); t.setAttribute("y", 4); t.setAttribute("font-size", "11");
    t.textContent = n.label || n.id;
    g.appendChild(c); g.appendChild(t);
    g.addEventListener("mousemove", e => showTip(e, n.id + (n.label ? " · " + n.label : "")));
    g.addEventListener("mouseleave", () => tip.style.display = "none");
    g.addEventListener("dblclick", () => { if (n.entity) window.location = "/entities/" + n.entity; });
    let dragging = false;
    g.addEventListener("mousedown", () => dragging = true);
    window.addEventListener("mouseup", () => dragging = false);
    svg.addEventListener("mousemove", e => {
      if (!dragging) return;
      const box = svg.getBoundingClientRect();
      n.x = (e.clientX - box.left) * 1000 / box.width; n.y = (e.clientY - box.top) * 480 / box.height;
      draw();
    });
    svg.appendChild(g);
    return g;
  });
  function showTip(e, text) {
    const box = container.getBoundingClientRect();
    tip.textContent = text; tip.style.display = "block";
    tip.style.left = (e.clientX - box.left + 12) + "px"; tip.style.top = (e.clientY - box.top + 12) + "px";
  }
  const slider = document.getElementById("until"), label = document.getElementById("until-label");
  function draw() {
    const until = t0 + (t1 - t0) * slider.value / 1000;
    label.textContent = new Date(until * 1000).toISOString().slice(0, 10);
    links.forEach((l, i) => {
      const el = edgeEls[i];
      el.setAttribute("x1", l.s.x); el.setAttribute("y1", l.s.y); el.setAttribute("x2", l.t.x); el.setAttribute("y2", l.t.y);
      el.style.display = l.at <= until ? "" : "none";
    });
    nodes.forEach((n, i) => nodeEls[i].setAttribute("transform", "translate(" + n.x + "," + n.y + ")"));
  }
  slider.addEventListener("input", draw);
  draw();
  container.dataset.ready = String(nodes.length);
}
