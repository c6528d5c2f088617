#!/usr/bin/env node
// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core.
//
// Starts `standin serve examples/petstore.yaml tests/dashboard/stubs` on a free port of
// 127.0.0.1 (and the same with --stateful for the state page) and checks, page by page, what a person would: the mocks page lists the mock
// and its sources; a request sent with curl appears in live requests within a second with
// its reason; a miss shows its near misses; try-it shows the status it forced; a delay set
// on the settings page is applied to the next request (timed with curl), and a value the
// API refuses is shown by its field with nothing changed; state, scenarios and recording
// pages answer. It takes a screenshot of each page into docs/screenshots/ (1280x800, one
// at phone width, one dark), and prints the page weight (HTML+CSS+JS bytes), the time to
// first paint of the mocks page, and the mock's throughput with and without the
// dashboard streaming the journal.
//
// Environment: STANDIN_BIN (default target/debug/standin), CHROMIUM (/usr/bin/chromium),
// PLAYWRIGHT_CORE (the playwright-core package directory; default: the one scripts/test.sh
// installs under $STANDIN_PEERS_DIR or ~/.cache/standin-peers). Exit status 0 when every
// check passes, 1 on a failed check, 2 when a tool is missing.
"use strict";

const fs = require("fs");
const path = require("path");
const net = require("net");
const http = require("http");
const { spawn, execFileSync } = require("child_process");

const ROOT = path.resolve(__dirname, "../..");
const SHOTS = path.join(ROOT, "docs/screenshots");
const PEERS = process.env.STANDIN_PEERS_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(require("os").homedir(), ".cache"), "standin-peers");
const PW = process.env.PLAYWRIGHT_CORE || path.join(PEERS, "playwright/node_modules/playwright-core");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const BIN = process.env.STANDIN_BIN || path.join(ROOT, "target/debug/standin");

function missing(what) {
  console.error(`dashboard test: ${what}`);
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) missing(`no Chromium at ${CHROMIUM} (apt-get install chromium chromium-driver, or set CHROMIUM)`);
if (!fs.existsSync(PW)) missing(`no playwright-core at ${PW} (scripts/test.sh installs it; or set PLAYWRIGHT_CORE)`);
if (!fs.existsSync(BIN)) missing(`no standin binary at ${BIN} (cargo build, or set STANDIN_BIN)`);
try { execFileSync("curl", ["--version"]); } catch { missing("curl is not installed"); }
const { chromium } = require(PW);

let failures = 0;
function check(ok, what, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? ` (${detail})` : ""}`);
  if (!ok) failures++;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on("error", reject);
  });
}

// curl, timed: [status, seconds].
function curl(url, ...args) {
  const out = execFileSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", ...args, url]).toString();
  const [code, secs] = out.trim().split(" ");
  return [Number(code), Number(secs)];
}

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => { let b = ""; res.on("data", (d) => (b += d)); res.on("end", () => resolve([res.statusCode, b])); }).on("error", reject);
  });
}

// Requests per second: wrk for 4 s when it is installed (scripts/test.sh installs it),
// else `n` GETs from here, `conc` at a time, on kept-alive connections.
let hasWrk = true;
try { execFileSync("sh", ["-c", "command -v wrk"], { stdio: "ignore" }); } catch { hasWrk = false; }
async function throughput(url, n, conc) {
  if (hasWrk) {
    const out = execFileSync("wrk", ["-t1", `-c${conc * 2}`, "-d4s", url]).toString();
    return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  }
  return throughputHere(url, n, conc);
}
async function throughputHere(url, n, conc) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
  let left = n;
  const t0 = process.hrtime.bigint();
  async function worker() {
    while (left-- > 0) {
      await new Promise((resolve, reject) => {
        http.get(url, { agent }, (res) => { res.resume(); res.on("end", resolve); }).on("error", reject);
      });
    }
  }
  await Promise.all(Array.from({ length: conc }, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return n / secs;
}

// `standin serve ARGS` on a free port; answers [process, base URL] once it is up.
async function serve(...args) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(BIN, ["serve", ...args, "--port", String(port), "--quiet"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    try { up = (await get(`${base}/__admin/health`))[0] === 200; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  if (!up) { server.kill(); missing(`standin did not start on ${base}`); }
  return [server, base];
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const [server, base] = await serve("examples/petstore.yaml", "tests/dashboard/stubs");
  const [stateful, stateBase] = await serve("examples/petstore.yaml", "tests/dashboard/stubs", "--stateful");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    await run(browser, base);
    await runState(browser, stateBase);
  } finally {
    await browser.close();
    server.kill();
    stateful.kill();
  }
  if (failures) { console.log(`${failures} check(s) failed`); process.exit(1); }
  console.log("every dashboard check passed");
}

async function run(browser, base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // Answers with an error status (the forced 404, a refused setting) are logged by the
  // browser as failed loads: those are expected; anything else is a fault of the page.
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text()); });
  const dash = `${base}/__admin/dashboard/`;

  // Mocks: lists the mock, its sources and what each serves. Weight and first paint.
  await page.goto(dash + "#mocks");
  await page.waitForSelector("#mocks-body article");
  const mocks = await page.textContent("#mocks-body");
  check(mocks.includes(base), "the mocks page lists the mock with its URL");
  check(mocks.includes("examples/petstore.yaml") && mocks.includes("5 operations"), "…its OpenAPI source and the operations it serves");
  check(mocks.includes("tests/dashboard/stubs") && mocks.includes("2 stubs"), "…its stub source and the stubs it serves");
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const res = performance.getEntriesByType("resource").filter((r) => /\.(css|js)$/.test(new URL(r.name).pathname));
    const paint = performance.getEntriesByType("paint");
    const fp = paint.find((p) => p.name === "first-paint") || paint[0];
    const fcp = paint.find((p) => p.name === "first-contentful-paint");
    return { html: nav.decodedBodySize, assets: res.map((r) => [new URL(r.name).pathname, r.decodedBodySize]), fp: fp && fp.startTime, fcp: fcp && fcp.startTime };
  });
  const weight = timing.html + timing.assets.reduce((n, [, b]) => n + b, 0);
  console.log(`page weight: ${weight} bytes (HTML ${timing.html}, ${timing.assets.map(([p, b]) => `${p.split("/").pop()} ${b}`).join(", ")})`);
  console.log(`mocks page: first paint ${timing.fp?.toFixed(1)} ms, first contentful paint ${timing.fcp?.toFixed(1)} ms`);
  check(weight > 0 && weight < 100 * 1024, "the page weighs under 100 KB", `${weight} bytes`);
  await page.screenshot({ path: path.join(SHOTS, "mocks.png") });

  // Live requests: a curl request shows within a second with its reason.
  await page.click("nav a[data-page=requests]");
  await page.waitForSelector("#live-state.on");
  const sent = Date.now();
  check(curl(`${base}/v1/pets`)[0] === 200, "curl GET /v1/pets answers 200");
  const row = page.locator("#req-list .item", { hasText: "/v1/pets" }).first();
  await row.waitFor({ timeout: 1000 }).catch(() => {});
  const seenAfter = Date.now() - sent;
  check(await row.isVisible(), "the request appears in live requests within a second", `${seenAfter} ms`);
  const rowText = (await row.textContent()) || "";
  check(rowText.includes("openapi") && rowText.includes("listPets"), "…with its reason (operation listPets)", rowText.trim());
  await row.click();
  const detail = await page.textContent("#req-detail");
  check(detail.includes("listPets") && detail.includes("Response") && detail.includes("Rex"), "the detail shows the operation and the answer in full");

  // A miss shows its near misses.
  check(curl(`${base}/v1/petz`)[0] === 404, "curl GET /v1/petz misses (404)");
  const miss = page.locator("#req-list .item", { hasText: "/v1/petz" }).first();
  await miss.waitFor({ timeout: 1000 }).catch(() => {});
  check(await miss.isVisible() && ((await miss.textContent()) || "").includes("near miss"), "the miss appears with its near misses counted");
  await miss.click();
  await page.waitForSelector("#req-detail .near li");
  const near = await page.textContent("#req-detail .near");
  check(near.includes("GET /v1/pets"), "the miss's detail lists its near misses", near.slice(0, 80));
  // Filters: by status, then by source.
  await page.fill("#f-status", "4xx");
  const shown4 = await page.locator("#req-list .item").allTextContents();
  check(shown4.length > 0 && shown4.every((t) => t.includes("404")), "the status filter keeps only 4xx");
  await page.fill("#f-status", "");
  await page.selectOption("#f-source", "openapi");
  const shownApi = await page.locator("#req-list .item").allTextContents();
  check(shownApi.length > 0 && shownApi.every((t) => t.includes("openapi")), "the source filter keeps only OpenAPI answers");
  await page.selectOption("#f-source", "");
  await page.locator("#req-list .item", { hasText: "/v1/petz" }).first().click();
  await page.screenshot({ path: path.join(SHOTS, "requests.png") });

  // Endpoints: searchable; try-it shows the status it forced.
  await page.click("nav a[data-page=endpoints]");
  await page.waitForSelector("#ep-list details");
  await page.fill("#ep-search", "getPet");
  const found = await page.locator("#ep-list details").allTextContents();
  check(found.length === 1 && found[0].includes("/v1/pets/{petId}"), "searching endpoints finds getPet", `${found.length} shown`);
  await page.locator("#ep-list details summary").first().click();
  await page.locator("#ep-list details button", { hasText: "Try it" }).first().click();
  check((await page.inputValue("#try-path")) === "/v1/pets/1", "try it fills the path with its parameters");
  await page.fill("#try-code", "404");
  await page.click("#try-send");
  await page.waitForSelector("#try-status");
  const forced = await page.textContent("#try-status");
  check(forced.trim() === "404", "try-it shows the forced status 404", forced);
  const tried = await page.textContent("#try-result");
  check(/content-type: application\/(problem\+)?json/.test(tried), "…with the answer's headers");
  await page.fill("#ep-search", "");
  await page.screenshot({ path: path.join(SHOTS, "endpoints.png") });

  // Settings: a delay set here is applied to the next request.
  await page.click("nav a[data-page=settings]");
  await page.waitForFunction(() => document.getElementById("s-name").value !== "");
  await page.fill("#s-name", "petstore");
  await page.check("input[name=delay][value=custom]");
  await page.fill("#s-delay", "400");
  await page.click("#s-save");
  await page.waitForSelector("#s-note.ok");
  const [, secs] = curl(`${base}/v1/pets`);
  check((await page.textContent("#mock-name")) === "petstore", "the new name shows in the page header");
  check(secs >= 0.4, "a 400 ms delay set on the settings page delays the next request", `${Math.round(secs * 1000)} ms`);
  // A value the API refuses is shown by its field, and nothing changes.
  await page.fill("#s-delay", "-5");
  await page.check("input[name=privacy][value=private]");
  await page.fill("#s-key", "");
  await page.click("#s-save");
  await page.waitForSelector("#s-note.err");
  const delayErr = await page.textContent("p.err[data-for='/delay']");
  const keyErr = await page.textContent("p.err[data-for='/apiKey']");
  check(delayErr.includes("negative"), "a negative delay is refused next to its field", delayErr);
  check(keyErr.includes("cannot be empty"), "an empty API key is refused next to its field", keyErr);
  const [, after] = await get(`${base}/__admin/mock/settings`);
  const now = JSON.parse(after);
  check(now.delay === "400" && now.private === false, "…and nothing changed", `delay ${now.delay}, private ${now.private}`);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, "settings.png") });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click("#s-revert");
  await page.check("input[name=delay][value='']");
  await page.click("#s-save");
  await page.waitForSelector("#s-note.ok");
  check(curl(`${base}/v1/pets`)[1] < 0.4, "the delay set back to none is gone from the next request");


  // Recording: status, and a refused start says why.
  await page.click("nav a[data-page=recording]");
  await page.waitForFunction(() => document.getElementById("rec-status").textContent !== "…");
  check((await page.textContent("#rec-status")) === "NeverStarted", "the recording page shows the recorder's status");
  await page.screenshot({ path: path.join(SHOTS, "recording.png") });

  // Keyboard: number keys switch pages.
  // The page changes on the hashchange event, a task after the key: wait for it.
  await page.locator("body").press("1");
  const switched = await page
    .waitForSelector("#page-mocks", { state: "visible", timeout: 2000 })
    .then(() => true, () => false);
  check(switched, "the key 1 shows the mocks page");

  // Phone width and the dark theme.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click("nav a[data-page=requests]");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, "nothing overflows a phone-width screen", `${overflow} px`);
  await page.screenshot({ path: path.join(SHOTS, "requests-phone.png") });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click("#theme");
  await page.click("#theme");
  check((await page.getAttribute("html", "data-theme")) === "dark", "the toggle sets the dark theme");
  await page.click("nav a[data-page=endpoints]");
  await page.waitForSelector("#ep-list details");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, "endpoints-dark.png") });
  check(errors.length === 0, "no script error in the page", errors.join("; "));

  // Throughput with and without a dashboard streaming the journal, alternated twice and
  // the better of each kept (printed; the figure depends on the machine and its load).
  // The dashboard is a Chromium of its own, not driven by this script: a driven one
  // reports every event it receives to this process, which is also the load's client.
  await page.close();
  const url = `${base}/v1/pets`;
  await throughput(url, 300, 8);
  const rounds = { without: [], with: [] };
  let followed = 0;
  for (let i = 0; i < 2; i++) {
    rounds.without.push(await throughput(url, 2000, 8));
    const profile = fs.mkdtempSync(path.join(require("os").tmpdir(), "standin-dash-"));
    const viewer = spawn(CHROMIUM, ["--headless", "--no-sandbox", "--disable-gpu", `--user-data-dir=${profile}`, dash + "#requests"], { stdio: "ignore", detached: true });
    let streams = 0;
    for (let t = 0; t < 100 && streams === 0; t++) {
      await new Promise((r) => setTimeout(r, 100));
      streams = JSON.parse((await get(`${base}/__admin/mock`))[1]).streams;
    }
    followed = Math.max(followed, streams);
    await new Promise((r) => setTimeout(r, 2000)); // the browser's own start-up settles
    rounds.with.push(await throughput(url, 2000, 8));
    // The browser and the processes it started are one group: all of them end.
    const exited = new Promise((r) => viewer.once("exit", r));
    process.kill(-viewer.pid, "SIGTERM");
    await exited;
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
  const without = Math.max(...rounds.without), withDash = Math.max(...rounds.with);
  console.log(`throughput (${hasWrk ? "wrk" : "node client"}): ${without.toFixed(0)} req/s without the dashboard, ${withDash.toFixed(0)} req/s with it open and streaming (${(withDash / without).toFixed(2)}x; rounds ${rounds.without.map((x) => x.toFixed(0)).join(", ")} vs ${rounds.with.map((x) => x.toFixed(0)).join(", ")})`);
  check(followed > 0, "the dashboard opened for the load followed the journal", `${followed} stream(s)`);
  await context.close();
}

// State and scenarios, on a stateful mock: what a client wrote shows, and reset takes it
// away; a scenario moved by a request shows its state, and reset puts it back.
async function runState(browser, base) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  execFileSync("curl", ["-s", "-o", "/dev/null", "-X", "POST", "-H", "content-type: application/json", "-d", '{"name":"Bo","tag":"dog"}', `${base}/v1/pets`]);
  curl(`${base}/greeting`);
  await page.goto(`${base}/__admin/dashboard/#state`);
  await page.waitForSelector("#scenarios table");
  check((await page.textContent("#scenarios")).includes("returning"), "the scenario shows its state after a request moved it");
  const resources = await page.textContent("#resources");
  check(resources.includes("/pets") && resources.includes("createPet (create)"), "the stateful mock's resource and its operations show");
  check(resources.includes("3 items"), "…with the collection a POST wrote to", resources.slice(0, 120));
  await page.locator("#resources details summary").first().click();
  await page.screenshot({ path: path.join(SHOTS, "state.png") });
  await page.click("#state-reset");
  await page.waitForFunction(() => !document.getElementById("resources").textContent.includes("3 items"));
  const [, pets] = await get(`${base}/v1/pets`);
  check(JSON.parse(pets).length === 2, "reset resources takes the written pet away", pets);
  await page.click("#scen-reset");
  await page.waitForFunction(() => document.getElementById("scenarios").textContent.includes("Started"));
  const [, greeting] = await get(`${base}/greeting`);
  check(JSON.parse(greeting).text === "Welcome", "reset scenarios puts the scenario back to Started", greeting);
  await page.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
