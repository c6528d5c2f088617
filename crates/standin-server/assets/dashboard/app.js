// standin's dashboard: every page is built on the admin API (/__admin), nothing else.
"use strict";

const API = "/__admin";
const $ = (id) => document.getElementById(id);

// An element with attributes (on* are listeners) and children (strings become text).
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) {
    if (kid === undefined || kid === null || kid === false) continue;
    el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

// Replaces an element's children, leaving out the absent ones.
function fill(el, ...kids) {
  el.replaceChildren(...kids.flat().filter((k) => k !== undefined && k !== null && k !== false));
}

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const res = await fetch(API + path, init);
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, ok: res.ok, json, text };
}

function errorText(r) {
  const e = r.json && r.json.errors && r.json.errors[0];
  if (e) return e.detail ? `${e.title}: ${e.detail}` : e.title;
  return `HTTP ${r.status} ${r.text.slice(0, 200)}`;
}

const statusClass = (s) => "st s" + String(s || 0)[0];
const method = (m) => h("span", { class: "m" }, m);
const pretty = (text) => {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
};

// ---- pages and navigation -------------------------------------------------------

const pages = ["mocks", "endpoints", "requests", "settings", "state", "recording"];
const loaders = {};
function show(page) {
  if (!pages.includes(page)) page = "mocks";
  for (const p of pages) $("page-" + p).hidden = p !== page;
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.page === page) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (loaders[page]) loaders[page]();
}
window.addEventListener("hashchange", () => { show(location.hash.slice(1)); $("main").focus(); });
document.addEventListener("keydown", (e) => {
  const t = e.target;
  if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
  const n = Number(e.key);
  if (n >= 1 && n <= pages.length) { location.hash = pages[n - 1]; e.preventDefault(); }
  if (e.key === "/" && !$("page-endpoints").hidden) { $("ep-search").focus(); e.preventDefault(); }
});

// Theme: follows the system until chosen; the choice is remembered.
const themes = ["auto", "light", "dark"];
function applyTheme(t) {
  if (t === "auto") document.documentElement.removeAttribute("data-theme");
  else document.documentElement.dataset.theme = t;
  const label = t === "auto" ? "Theme: follows the system" : `Theme: ${t}`;
  $("theme").title = label;
  $("theme").setAttribute("aria-label", label);
  $("theme").textContent = { auto: "◐", light: "☀", dark: "☾" }[t];
}
let theme = localStorage.getItem("standin-theme") || "auto";
$("theme").addEventListener("click", () => {
  theme = themes[(themes.indexOf(theme) + 1) % themes.length];
  localStorage.setItem("standin-theme", theme);
  applyTheme(theme);
});
applyTheme(theme);

// ---- mocks -----------------------------------------------------------------------

function countOf(s) {
  if (s.operations !== undefined) return `${s.operations} operations`;
  if (s.examples !== undefined) return `${s.examples} examples`;
  if (s.stubs !== undefined) return `${s.stubs} stubs`;
  if (s.routes !== undefined) return `${s.routes} routes`;
  return "";
}

loaders.mocks = async () => {
  const r = await api("GET", "/mock");
  const body = $("mocks-body");
  if (!r.ok) { fill(body, h("p", { class: "err" }, errorText(r))); return; }
  const m = r.json;
  $("mock-name").textContent = m.name;
  document.title = `${m.name} · standin`;
  const diags = m.diagnostics.length
    ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Severity"), h("th", {}, "Where"), h("th", {}, "Message"))),
        h("tbody", {}, m.diagnostics.map((d) => h("tr", {},
          h("td", { class: d.severity === "error" ? "err" : "muted" }, d.severity),
          h("td", { class: "mono" }, d.file + (d.line ? `:${d.line}` : ""), d.pointer ? h("div", { class: "muted" }, d.pointer) : null),
          h("td", {}, d.message)))))
    : h("p", { class: "muted" }, "Loaded without a diagnostic.");
  const others = m.mocks.filter((o) => o.url !== m.url);
  fill(body, 
    h("article", { class: "panel card", "aria-label": `Mock ${m.name}` },
      h("h2", {}, m.name, " ", h("a", { href: m.url + "/", class: "mono" }, m.url)),
      h("p", { class: "muted" }, `${m.requests} requests in the journal`),
      h("h3", {}, "Sources"),
      m.sources.length
        ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "File"), h("th", {}, "Kind"), h("th", {}, "Serves"))),
            h("tbody", {}, m.sources.map((s) => h("tr", {}, h("td", { class: "mono" }, s.file), h("td", {}, s.kind), h("td", {}, countOf(s))))))
        : h("p", { class: "muted" }, "No source."),
      h("h3", {}, "Load diagnostics"), diags),
    others.length ? h("article", { class: "panel card" }, h("h2", {}, "Other mocks of this process"),
      h("ul", {}, others.map((o) => h("li", {}, o.name, " ", h("a", { href: o.url + "/__admin/dashboard/" }, o.url))))) : null);
};

// ---- endpoints and try it ----------------------------------------------------------

let endpoints = [];
function stubLine(s) {
  const q = s.request || {};
  const url = q.url || q.urlPath || q.urlPattern || q.urlPathPattern || q.urlPathTemplate || "(any URL)";
  return { method: q.method || "ANY", path: url, title: s.name || s.id, status: (s.response || {}).status || 200 };
}
function endpointItems(data) {
  const out = [];
  for (const o of data.operations) {
    out.push({ kind: "OpenAPI operation", method: o.method, path: o.path, title: o.operationId || o.summary || "", sub: o.file,
      details: o.responses.map((r) => `${r.status}: ` + (r.media.map((m) => `${m.type}` + (m.examples.length ? ` [${m.examples.join(", ")}]` : m.generated ? " (generated)" : "")).join("; ") || "no body")),
      examples: o.responses.flatMap((r) => r.media.flatMap((m) => m.examples)), statuses: o.responses.map((r) => r.status) });
  }
  for (const s of data.saved) {
    out.push({ kind: s.kind === "har" ? "HAR entry" : "Saved example", method: s.method, path: s.path, title: s.name, sub: s.file,
      details: [`${s.status}`], examples: s.kind === "har" ? [] : [s.name], statuses: [String(s.status)] });
  }
  for (const s of data.stubs) {
    const l = stubLine(s);
    out.push({ kind: "Stub", method: l.method, path: l.path, title: l.title, sub: `priority ${s.priority ?? 5}`,
      details: [`${l.status}`], json: s, examples: [], statuses: [String(l.status)] });
  }
  for (const r of data.routes) {
    out.push({ kind: "Mockoon route", method: r.method, path: r.path, title: r.crud ? "CRUD" : "", sub: r.file,
      details: r.responses.map((x) => `${x.status} ${x.label || ""}${x.default ? " (default)" : ""}`), examples: [], statuses: r.responses.map((x) => String(x.status)) });
  }
  return out;
}
function renderEndpoints() {
  const q = $("ep-search").value.trim().toLowerCase();
  const list = $("ep-list");
  const shown = endpoints.filter((e) => !q || [e.kind, e.method, e.path, e.title, e.sub, ...e.details].join(" ").toLowerCase().includes(q));
  if (!shown.length) { fill(list, h("p", { class: "muted" }, endpoints.length ? "Nothing matches." : "This mock serves no endpoint.")); return; }
  fill(list, ...shown.map((e) => h("details", { class: "item" },
    h("summary", {}, h("span", { class: "line" }, method(e.method), h("span", { class: "mono" }, e.path), h("span", { class: "why" }, e.title))),
    h("p", { class: "hint" }, `${e.kind} · ${e.sub || ""}`),
    h("ul", {}, e.details.map((d) => h("li", { class: "mono" }, d))),
    e.json ? h("pre", {}, JSON.stringify(e.json, null, 2)) : null,
    h("button", { type: "button", class: "ghost", onclick: () => tryOut(e) }, "Try it"))));
}
function tryOut(e) {
  const m = e.method === "ANY" || e.method === "*" ? "GET" : e.method;
  $("try-method").value = m;
  $("try-path").value = e.path.replace(/\{([^}]+)\}/g, "1").replace(/:(\w+)/g, "1");
  $("try-example").value = "";
  $("try-code").value = "";
  $("try-path").focus();
}
loaders.endpoints = async () => {
  const r = await api("GET", "/mock/endpoints");
  if (!r.ok) { fill($("ep-list"), h("p", { class: "err" }, errorText(r))); return; }
  endpoints = endpointItems(r.json);
  renderEndpoints();
};
$("ep-search").addEventListener("input", renderEndpoints);

$("try").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const headers = new Headers();
  const note = $("try-note");
  note.textContent = "";
  for (const line of $("try-headers").value.split("\n")) {
    if (!line.trim()) continue;
    const i = line.indexOf(":");
    if (i < 1) { note.textContent = `Not a header line: ${line}`; return; }
    try { headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim()); } catch (e) { note.textContent = String(e.message); return; }
  }
  const prefer = [];
  const code = $("try-code").value.trim();
  const example = $("try-example").value.trim();
  if (code) prefer.push(`code=${code}`);
  if (example) prefer.push(`example=${JSON.stringify(example)}`);
  if (prefer.length) headers.append("Prefer", prefer.join(", "));
  const m = $("try-method").value;
  let path = $("try-path").value.trim() || "/";
  if (!path.startsWith("/")) path = "/" + path;
  const body = $("try-body").value;
  const t0 = performance.now();
  let res;
  try {
    res = await fetch(path, { method: m, headers, body: body && m !== "GET" && m !== "HEAD" ? body : undefined, cache: "no-store" });
  } catch (e) { note.textContent = `The request failed: ${e.message}`; return; }
  const text = await res.text();
  const ms = Math.round(performance.now() - t0);
  const hdrs = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
  fill($("try-result"), 
    h("p", {}, h("span", { class: statusClass(res.status), id: "try-status" }, res.status), " ", res.statusText, " ", h("span", { class: "muted" }, `${ms} ms`)),
    h("h3", {}, "Headers"), h("pre", {}, hdrs),
    h("h3", {}, "Body"), h("pre", {}, text ? pretty(text) : "(empty)"));
});

// ---- live requests --------------------------------------------------------------------

const MAX_ROWS = 500;
let events = [];        // newest first
let paused = false;
let selected = null;
let source = null;

function reasonOf(e) {
  const w = e.why || {};
  const bits = [];
  if (w.answerer && w.answerer !== "standin") bits.push(w.answerer);
  if (w.operation && w.answerer !== "stub") bits.push(w.operation);
  if (w.example) bits.push(`example ${w.example}`);
  if (w.stub) bits.push(`stub ${(e.stubMapping && e.stubMapping.name) || w.stub}`);
  if (w.source && w.answerer !== "stub") bits.push(w.source);
  if (w.state) bits.push(w.state);
  if (w.note) bits.push(w.note);
  if (w.violations) bits.push("violations");
  if (w.nearMisses) bits.push(`${w.nearMisses.length} near miss${w.nearMisses.length === 1 ? "" : "es"}`);
  return bits.join(" · ") || "answered";
}
function statusMatches(status, f) {
  if (!f) return true;
  return f.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean).some((p) =>
    /^[1-5]xx$/.test(p) ? String(status)[0] === p[0] : String(status) === p);
}
function passes(e) {
  const m = $("f-method").value, p = $("f-path").value.trim(), s = $("f-status").value.trim(), src = $("f-source").value;
  return (!m || e.request.method === m) && (!p || e.request.url.includes(p)) &&
    statusMatches(e.response.status, s) && (!src || (e.why && e.why.answerer) === src);
}
function row(e) {
  return h("button", { type: "button", class: "item", "data-id": e.id, "aria-current": selected === e.id ? "true" : "false",
    onclick: (ev) => { selected = e.id; markSelected(); renderDetail(e); ev.currentTarget.focus(); } },
    h("span", { class: "line" }, method(e.request.method), h("span", { class: statusClass(e.response.status) }, e.response.status),
      h("span", { class: "mono" }, e.request.url), h("span", { class: "muted" }, new Date(e.request.loggedDate).toLocaleTimeString())),
    h("span", { class: "why" }, reasonOf(e)));
}
const SHOWN = 100;
let fresh = [];         // arrived since the list was last drawn, newest first
function markSelected() {
  for (const b of $("req-list").querySelectorAll(".item")) b.setAttribute("aria-current", String(b.dataset.id === selected));
}
function renderList() {
  fresh = [];
  const shown = events.filter(passes);
  const list = $("req-list");
  if (!shown.length) { fill(list, h("p", { class: "muted" }, events.length ? "No request passes the filters." : "No request yet: send one to the mock.")); return; }
  fill(list, ...shown.slice(0, SHOWN).map(row));
}
// New requests are put on top of the list drawn, and the oldest rows taken off.
function renderFresh() {
  const add = fresh.filter(passes).slice(0, SHOWN);
  fresh = [];
  if (!add.length) return;
  const list = $("req-list");
  if (!list.querySelector(".item")) { renderList(); return; }
  list.prepend(...add.map(row));
  while (list.children.length > SHOWN) list.lastElementChild.remove();
}
function headerText(hs) {
  return Object.entries(hs || {}).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`).join("\n");
}
function renderDetail(e) {
  const w = e.why || {};
  const kv = (pairs) => h("dl", { class: "kv" }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== "").flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  const near = w.nearMisses && w.nearMisses.length
    ? [h("h3", {}, "Near misses"), h("ol", { class: "near" }, w.nearMisses.map((n) => h("li", {},
        h("strong", {}, n.label), " ", h("span", { class: "muted" }, `${n.answerer}, distance ${Number(n.distance).toFixed(2)}`),
        n.reasons && n.reasons.length ? h("ul", {}, n.reasons.map((r) => h("li", {}, r))) : null)))]
    : [];
  const req = e.request, res = e.response;
  fill($("req-detail"), 
    h("h2", {}, method(req.method), " ", h("span", { class: "mono" }, req.url), " ", h("span", { class: statusClass(res.status) }, res.status)),
    h("h3", {}, "Why"),
    kv([["answered by", w.answerer], ["operation", w.operation], ["example", w.example], ["stub", w.stub && ((e.stubMapping && e.stubMapping.name) ? `${e.stubMapping.name} (${w.stub})` : w.stub)],
      ["source", w.source], ["state", w.state], ["note", w.note], ["violations", w.violations],
      ["delay", e.timing ? `${e.timing.addedDelay} ms` : ""], ["time", new Date(req.loggedDate).toLocaleString()]]),
    ...near,
    h("h3", {}, "Request"), h("pre", {}, `${req.method} ${req.url}\n${headerText(req.headers)}`),
    req.body ? h("pre", {}, pretty(req.body)) : null,
    h("h3", {}, "Response"), h("pre", {}, `${res.status}\n${headerText(res.headers)}`),
    res.fault ? h("p", { class: "err" }, `fault: ${res.fault}`) : null,
    res.body ? h("pre", {}, pretty(res.body)) : res.bodyFileName ? h("p", { class: "muted" }, `body from ${res.bodyFileName}`) : null);
}
function setLive(text, on) {
  const el = $("live-state");
  el.textContent = text;
  el.classList.toggle("on", !!on);
}
function connect() {
  if (source) return;
  source = new EventSource(`${API}/requests/stream?backlog=200`);
  source.onopen = () => setLive(paused ? "paused" : "live", !paused);
  source.onerror = () => setLive("reconnecting…");
  source.addEventListener("request", (m) => {
    const e = JSON.parse(m.data);
    events.unshift(e);
    fresh.unshift(e);
    if (events.length > MAX_ROWS) events.length = MAX_ROWS;
    if (fresh.length > SHOWN) fresh.length = SHOWN;
    if (!paused && !document.hidden && !$("page-requests").hidden) scheduleRender();
  });
  source.addEventListener("skipped", (m) => setLive(`live (${JSON.parse(m.data).skipped} skipped in a burst)`, true));
  source.addEventListener("disabled", (m) => setLive(JSON.parse(m.data).detail));
}
// The list is drawn at most four times a second, however fast requests arrive.
let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => requestAnimationFrame(() => { renderPending = false; renderFresh(); }), 250);
}
loaders.requests = () => { connect(); renderList(); };
// A tab in the background draws nothing; it catches up when shown.
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && !paused && !$("page-requests").hidden) renderList();
});
for (const id of ["f-method", "f-path", "f-status", "f-source"]) $(id).addEventListener("input", renderList);
$("filters").addEventListener("submit", (e) => e.preventDefault());
$("pause").addEventListener("click", () => {
  paused = !paused;
  $("pause").setAttribute("aria-pressed", String(paused));
  $("pause").textContent = paused ? "Resume" : "Pause";
  setLive(paused ? "paused" : "live", !paused);
  if (!paused) renderList();
});
$("clear").addEventListener("click", async () => {
  const r = await api("DELETE", "/requests");
  if (r.ok) { events = []; selected = null; renderList(); fill($("req-detail"), h("p", { class: "muted" }, "Journal cleared.")); }
});

// ---- settings -----------------------------------------------------------------------------

let settings = null;
function varRow(k, v) {
  const r = h("div", { class: "row" },
    h("label", {}, "Name", h("input", { class: "var-k", value: k, autocomplete: "off" })),
    h("label", { class: "grow" }, "Value", h("input", { class: "var-v", value: v, autocomplete: "off" })),
    h("button", { type: "button", class: "ghost", "aria-label": `Remove variable ${k}`, onclick: () => r.remove() }, "Remove"));
  return r;
}
function fillSettings(s) {
  settings = s;
  $("s-name").value = s.name;
  const d = s.delay || "";
  const preset = d === "" ? "" : d === "100" || d === "300" ? d : "custom";
  for (const r of document.querySelectorAll("input[name=delay]")) r.checked = r.value === preset;
  $("s-delay").value = preset === "custom" ? d : "";
  for (const r of document.querySelectorAll("input[name=privacy]")) r.checked = r.value === (s.private ? "private" : "public");
  $("s-key").value = s.apiKey || "";
  $("s-envfile").value = s.environment.file || "";
  fill($("s-vars"), ...Object.entries(s.environment.variables).map(([k, v]) => varRow(k, v)));
  $("s-mbody").checked = s.matching.body;
  $("s-mheaders").value = s.matching.headers.join(", ");
  $("s-validation").value = s.validation;
  $("s-examples").value = s.examples;
  $("mock-name").textContent = s.name;
}
function clearErrors() {
  for (const p of document.querySelectorAll("#settings .err")) p.textContent = "";
  for (const el of document.querySelectorAll("#settings .bad")) el.classList.remove("bad");
}
function showErrors(errors) {
  const slots = [...document.querySelectorAll("#settings .err")];
  for (const e of errors) {
    const ptr = (e.source && e.source.pointer) || "/";
    // The slot whose pointer is the longest prefix of the error's.
    const slot = slots.filter((s) => ptr === s.dataset.for || ptr.startsWith(s.dataset.for + "/") || s.dataset.for === "/")
      .sort((a, b) => b.dataset.for.length - a.dataset.for.length)[0];
    if (!slot) continue;
    slot.textContent = (slot.textContent ? slot.textContent + " " : "") + (e.detail || e.title);
    const field = slot.closest("fieldset");
    const input = field && field.querySelector("input:not([type=radio]):not([type=checkbox]), select");
    if (input && ptr !== "/") input.classList.add("bad");
  }
  const first = slots.find((s) => s.textContent);
  if (first) first.closest("fieldset")?.querySelector("input, select")?.focus();
}
function formSettings() {
  const preset = document.querySelector("input[name=delay]:checked");
  const p = preset ? preset.value : "";
  const vars = {};
  for (const r of document.querySelectorAll("#s-vars .row")) {
    const k = r.querySelector(".var-k").value;
    if (k || r.querySelector(".var-v").value) vars[k] = r.querySelector(".var-v").value;
  }
  const priv = document.querySelector("input[name=privacy]:checked");
  return {
    name: $("s-name").value,
    delay: p === "custom" ? $("s-delay").value : p || null,
    private: priv ? priv.value === "private" : false,
    apiKey: $("s-key").value,
    environment: { file: $("s-envfile").value || null, variables: vars },
    matching: { body: $("s-mbody").checked, headers: $("s-mheaders").value.split(",").map((x) => x.trim()).filter(Boolean) },
    validation: $("s-validation").value,
    examples: $("s-examples").value,
  };
}
loaders.settings = async () => {
  const r = await api("GET", "/mock/settings");
  if (r.ok) fillSettings(r.json); else $("s-note").textContent = errorText(r);
};
$("s-delay").addEventListener("input", () => { document.querySelector("input[name=delay][value=custom]").checked = true; });
$("s-addvar").addEventListener("click", () => { const r = varRow("", ""); $("s-vars").append(r); r.querySelector("input").focus(); });
$("s-revert").addEventListener("click", () => { clearErrors(); if (settings) fillSettings(settings); $("s-note").textContent = ""; });
$("settings").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearErrors();
  const note = $("s-note");
  note.className = "";
  note.textContent = "Saving…";
  const r = await api("PATCH", "/mock/settings", formSettings());
  if (r.ok) {
    fillSettings(r.json);
    note.className = "ok";
    note.textContent = "Saved: the next request uses these settings.";
  } else if (r.json && r.json.errors) {
    showErrors(r.json.errors);
    note.className = "err";
    note.textContent = "Not saved: the API refused a value (see above); nothing changed.";
  } else {
    note.className = "err";
    note.textContent = errorText(r);
  }
});

// ---- state and scenarios ---------------------------------------------------------------------

loaders.state = async () => {
  const [sc, st] = await Promise.all([api("GET", "/scenarios"), api("GET", "/state")]);
  const scen = (sc.json && sc.json.scenarios) || [];
  fill($("scenarios"), scen.length
    ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Scenario"), h("th", {}, "State"), h("th", {}, "Set state"))),
        h("tbody", {}, scen.map((s) => {
          const sel = h("select", { "aria-label": `State of ${s.name}` }, (s.possibleStates || [s.state]).map((p) => h("option", { selected: p === s.state }, p)));
          sel.addEventListener("change", async () => {
            const r = await api("PUT", `/scenarios/${encodeURIComponent(s.name)}/state`, { state: sel.value });
            $("state-note").textContent = r.ok ? `${s.name} is now ${sel.value}` : errorText(r);
            loaders.state();
          });
          return h("tr", {}, h("td", {}, s.name), h("td", { class: "mono" }, s.state), h("td", {}, sel));
        })))
    : h("p", { class: "muted" }, "No scenario: stubs with scenarioName have them."));
  const s = st.json || { resources: [], collections: [] };
  const res = s.resources || [];
  fill($("resources"), 
    res.length ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Resource"), h("th", {}, "Identifier"), h("th", {}, "Seed examples"), h("th", {}, "Operations"))),
      h("tbody", {}, res.map((r) => h("tr", {}, h("td", { class: "mono" }, r.name), h("td", {}, r.identifier || ""), h("td", {}, r.examples),
        h("td", {}, (r.operations || []).map((o) => `${o.operation} (${o.action})`).join(", "))))))
      : h("p", { class: "muted" }, "No resource: start the mock with --stateful to keep what clients write."),
    ...(s.collections || []).map((c) => h("details", { class: "item" },
      h("summary", {}, h("span", { class: "mono" }, c.resource), " ", h("span", { class: "muted" }, `${c.items.length} items${c.session ? ` · session ${c.session}` : ""}${c.scope ? ` · ${c.scope}` : ""}`)),
      h("pre", {}, JSON.stringify(c.items, null, 2)))),
    s.budget ? h("p", { class: "hint" }, `Store: ${s.budget.items} of ${s.budget.maxItems} items, ${s.budget.bytes} of ${s.budget.maxBytes} bytes`) : null);
};
$("state-reset").addEventListener("click", async () => {
  const r = await api("POST", "/state/reset", {});
  $("state-note").textContent = r.ok ? "Resources are back to the document's examples." : errorText(r);
  loaders.state();
});
$("scen-reset").addEventListener("click", async () => {
  const r = await api("POST", "/scenarios/reset");
  $("state-note").textContent = r.ok ? "Every scenario is back to Started." : errorText(r);
  loaders.state();
});
$("state-reload").addEventListener("click", () => loaders.state());

// ---- recording ---------------------------------------------------------------------------------

let recorded = null;
function showRecorded(r) {
  if (!r.ok) { $("rec-err").textContent = errorText(r); return; }
  recorded = r.json;
  const n = (recorded && recorded.mappings || []).length;
  fill($("rec-out"), h("p", {}, `${n} stub mapping${n === 1 ? "" : "s"} recorded.`),
    h("pre", {}, JSON.stringify(recorded, null, 2)));
  $("rec-download").disabled = false;
}
loaders.recording = async () => {
  const r = await api("GET", "/recordings/status");
  $("rec-status").textContent = r.ok ? r.json.status : errorText(r);
};
$("rec").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("rec-err").textContent = "";
  const r = await api("POST", "/recordings/start", { targetBaseUrl: $("rec-target").value.trim() });
  if (!r.ok) $("rec-err").textContent = errorText(r);
  loaders.recording();
});
$("rec-stop").addEventListener("click", async () => {
  $("rec-err").textContent = "";
  showRecorded(await api("POST", "/recordings/stop"));
  loaders.recording();
});
$("rec-snap").addEventListener("click", async () => {
  $("rec-err").textContent = "";
  showRecorded(await api("POST", "/recordings/snapshot", { persist: false }));
});
$("rec-download").addEventListener("click", () => {
  if (!recorded) return;
  const url = URL.createObjectURL(new Blob([JSON.stringify(recorded, null, 2)], { type: "application/json" }));
  const a = h("a", { href: url, download: "mappings.json" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});

// ---- start ------------------------------------------------------------------------------------------

show(location.hash.slice(1) || "mocks");
// The mock's name in the header, whichever page opened first.
api("GET", "/mock").then((r) => {
  if (!r.ok) return;
  $("mock-name").textContent = r.json.name;
  document.title = `${r.json.name} · standin`;
});
// The live list fills from the moment the page opens, whichever page is shown.
connect();
