// Renders openapi.json as a filterable list of operations. No dependencies.
(function () {
  "use strict";
  const ops = document.getElementById("ops");
  const filter = document.getElementById("filter");
  let all = [];

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function render() {
    const q = filter.value.trim().toLowerCase();
    ops.textContent = "";
    const byTag = new Map();
    for (const op of all) {
      const hay = (op.method + " " + op.path + " " + (op.summary || "")).toLowerCase();
      if (q && !hay.includes(q)) continue;
      if (!byTag.has(op.tag)) byTag.set(op.tag, []);
      byTag.get(op.tag).push(op);
    }
    for (const [tag, list] of [...byTag.entries()].sort()) {
      ops.appendChild(el("h2", null, tag));
      for (const op of list) {
        const d = el("details");
        const s = el("summary");
        s.appendChild(el("span", "m " + op.method, op.method.toUpperCase()));
        s.appendChild(document.createTextNode(" " + op.path + (op.summary ? " — " + op.summary : "")));
        d.appendChild(s);
        const b = el("div", "body");
        if (op.description) b.appendChild(el("p", null, op.description));
        b.appendChild(el("pre", null, JSON.stringify(op.raw, null, 2)));
        d.appendChild(b);
        ops.appendChild(d);
      }
    }
  }

  fetch("openapi.json").then((r) => r.json()).then((doc) => {
    document.getElementById("version").textContent = (doc.info && doc.info.version) || "";
    for (const [path, item] of Object.entries(doc.paths || {})) {
      for (const [method, raw] of Object.entries(item)) {
        if (typeof raw !== "object" || !raw) continue;
        all.push({ path, method, raw, summary: raw.summary, description: raw.description,
                   tag: (raw.tags && raw.tags[0]) || "other" });
      }
    }
    all.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
    render();
  }).catch((e) => { ops.textContent = "Could not load openapi.json: " + e; });
  filter.addEventListener("input", render);
})();
