// `make bench`: what the back office costs to load, as served (brotli), against a running
// sandbox server: the first load of the overview (page, script, wasm and every chunk the page
// asks for), the other pages' code fetched once the app is idle, then each client-side move
// through the navigation. Chromium records what it
// fetches; each file is then fetched again with `Accept-Encoding: br` (Chromium asks for brotli
// only over HTTPS) and counted at that size.
// usage: node end2end/bench/back-office-weight.mjs http://127.0.0.1:3000
import { chromium } from "@playwright/test";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const moves = {
  Payments: "/admin/payments",
  Receipts: "/admin/receipts",
  "Payment links": "/admin/links",
  "Store settings": "/admin/settings",
  "Payment methods": "/admin/methods",
  Overview: "/admin",
};

// The size of one response as served: the site's files (`/pkg`) fetched again in brotli,
// anything else (the page, server functions' data) as Chromium received it.
async function served(request) {
  const url = request.url();
  if (!new URL(url).pathname.startsWith("/pkg/")) return (await request.sizes()).responseBodySize;
  // fetch() decodes the body: the header says what travelled.
  const response = await fetch(url, { headers: { "Accept-Encoding": "br" } });
  await response.arrayBuffer();
  return Number(response.headers.get("content-length"));
}

// What the page fetched since the last call (or, with `before`, of that what started before
// that time, in ms since 1970).
async function weigh(fetched, before = Infinity) {
  const requests = fetched.filter((r) => r.timing().startTime < before);
  fetched.splice(0, fetched.length, ...fetched.filter((r) => !requests.includes(r)));
  let total = 0;
  let wasm = 0;
  for (const request of requests) {
    const n = await served(request);
    total += n;
    if (request.url().endsWith(".wasm")) wasm += n;
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  return `${kb(total)} in ${requests.length} requests (wasm ${kb(wasm)}, ${kb(total - wasm)} else)`;
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const context = await browser.newContext();
const page = await context.newPage();
await page.goto(`${base}/admin/login?lang=en`);
await page.getByLabel("E-mail").fill("owner@demo.kassa.test");
await page.getByLabel("Password").fill("kassa-demo-owner");
await page.getByRole("button", { name: "Log in" }).click();
await page.waitForURL(`${base}/admin`);

// A second page with the cache off: its first load is what a merchant's browser fetches.
const fresh = await context.newPage();
await page.close();
const cdp = await context.newCDPSession(fresh);
await cdp.send("Network.enable");
await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
const fetched = [];
fresh.on("requestfinished", (request) => {
  if (request.url().startsWith(base)) fetched.push(request);
});
// When the app went live: what came before is the first load; the other pages' code follows
// once the browser is idle (`admin::prefetch_pages`).
await fresh.addInitScript(() => {
  document.addEventListener("DOMContentLoaded", () => {
    new MutationObserver((_, observer) => {
      if (!document.documentElement.hasAttribute("data-hydrated")) return;
      window.kassaLive = performance.timeOrigin + performance.now();
      observer.disconnect();
    }).observe(document.documentElement, { attributes: true });
  });
});
await fresh.goto(`${base}/admin`);
await fresh.locator("html[data-hydrated]").waitFor();
await fresh.waitForLoadState("networkidle");
const live = await fresh.evaluate(() => window.kassaLive);
console.log(`first load of the overview, until the app is live: ${await weigh(fetched, live)}`);
console.log(`the other pages' code, fetched once the browser is idle: ${await weigh(fetched)}`);
for (const [name, path] of Object.entries(moves)) {
  await fresh.getByRole("navigation").getByRole("link", { name, exact: true }).click();
  await fresh.waitForURL(`${base}${path}`);
  await fresh.waitForLoadState("networkidle");
  console.log(`move to ${name}: ${await weigh(fetched)}`);
}
await browser.close();
