import { type Browser, expect, type Locator, type Page } from "@playwright/test";
import { open, signUp, test, unique } from "./fixtures";

// The back office is one page in the browser: after the first load, moving between pages,
// filtering the report and saving a form fetch data, never a document.
test("the back office moves, filters and saves without loading a page", async ({ page }) => {
  const { slug, email } = unique("spa");
  await signUp(page, true, slug, email);
  const documents: string[] = [];
  page.on("request", (r) => {
    if (r.resourceType() === "document") documents.push(r.url());
  });
  // A marker of this document: a page load would drop it.
  await page.evaluate(() => ((window as unknown as { firstLoad: boolean }).firstLoad = true));

  await page.getByRole("link", { name: "Payment links" }).click();
  await expect(page.getByRole("heading", { name: "Payment links" })).toBeVisible();
  await page.getByLabel("Description", { exact: true }).fill("Glaze class");
  await page.getByLabel("Amount", { exact: true }).fill("120");
  await page.getByRole("button", { name: "Create link" }).click();
  await expect(page.getByText("The link is ready")).toBeVisible();
  await expect(page).toHaveURL(/\/admin\/links\?show=\d+$/);
  await expect(page.getByRole("listitem").filter({ hasText: "Glaze class" })).toBeVisible();

  await page.getByRole("link", { name: "Payments" }).click();
  await expect(page.getByRole("heading", { name: "Payments" })).toBeVisible();
  await page.getByLabel("Status").selectOption("paid");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/\/admin\/payments\?.*status=paid/);

  // Saved on the page it is on: the page's data is read again, with its notice.
  await page.getByRole("link", { name: "Store settings" }).click();
  await page.getByLabel("Store name").fill("Dana's Pottery");
  await page.getByRole("button", { name: "Save" }).first().click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  await expect(page.getByText("Dana's Pottery").first()).toBeVisible();

  await page.goBack();
  await expect(page).toHaveURL(/\/admin\/payments\?.*status=paid/);
  await expect(page.getByLabel("Status")).toHaveValue("paid");

  expect(documents).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { firstLoad?: boolean }).firstLoad)).toBe(true);
});

// Each page's code is a wasm chunk of its own (lazy routes, built with `--split`): the first
// load fetches the frame and its own page, and a link in the navigation fetches its page's
// code when the pointer reaches it, so the click itself fetches no code. A page's modules
// come in one request, a pack (`server::packs`), never one by one.
/** The split manifest's module of a page's lazy view (`/pkg/split___links_route_view_….wasm`). */
async function ownModule(page: Page): Promise<(route: string) => string> {
  const manifest: Record<string, string[]> = await (await page.request.get("/pkg/__wasm_split_manifest.json")).json();
  return (route: string) => {
    const name = Object.keys(manifest).find((key) => key.startsWith(`__${route}_route_view_`));
    expect(name, route).toBeDefined();
    return `/pkg/split_${name}.wasm`;
  };
}

/** Each request for code, as the modules it carries (a pack's names, or one module's file). */
function watchCode(page: Page): string[][] {
  const requests: string[][] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (!path.endsWith(".wasm")) return;
    requests.push(
      path.startsWith("/pkg/pack/")
        ? path.slice("/pkg/pack/".length, -".wasm".length).split("+").map((name) => `/pkg/${name}.wasm`)
        : [path],
    );
  });
  return requests;
}

test("a page's code comes with it, the other pages' in one request once the browser is idle", async ({ page }) => {
  const { slug, email } = unique("split");
  await signUp(page, true, slug, email);
  const own = await ownModule(page);
  // A tab of its own: the page signing up left would fetch the other pages' code meanwhile.
  const signedUp = page;
  page = await signedUp.context().newPage();
  await signedUp.close();
  const code = watchCode(page);

  await open(page, "/admin/receipts", true);
  // The main wasm, then the page's own pack, preloaded by the head.
  const first = code.find((modules) => modules.includes(own("receipts")));
  expect(first).toBeDefined();
  expect(first).not.toContain(own("links"));
  // Then every other page's, in one pack.
  await expect.poll(() => code.flat()).toContain(own("links"));
  const idle = code.find((modules) => modules.includes(own("links")));
  for (const route of ["overview", "payments", "payment", "methods", "settings", "bank_accounts", "account"]) {
    expect(idle).toContain(own(route));
  }
  expect(code.filter((modules) => modules.length === 1 && /\/(chunk|split)_/.test(modules[0]))).toEqual([]);

  await page.waitForLoadState("networkidle");
  const before = code.length;
  for (const name of ["Payment links", "Payment methods", "Overview"]) {
    await page.getByRole("navigation").getByRole("link", { name, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  }
  expect(code.slice(before)).toEqual([]);
});

// A browser asking to save data fetches a page's code only ahead of a move: when its link is
// pointed at or reached by the keyboard.
test("saving data, a page's code is fetched when its link is pointed at", async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(navigator, "connection", { value: { saveData: true } }));
  const { slug, email } = unique("save-data");
  await signUp(page, true, slug, email);
  const own = await ownModule(page);
  const code = watchCode(page);

  await open(page, "/admin/receipts", true);
  await page.waitForLoadState("networkidle");
  expect(code.flat()).toContain(own("receipts"));
  expect(code.flat()).not.toContain(own("links"));
  expect(code.flat()).not.toContain(own("methods"));

  const links = page.getByRole("navigation").getByRole("link", { name: "Payment links" });
  await links.hover();
  await expect.poll(() => code.flat()).toContain(own("links"));
  await page.waitForLoadState("networkidle");
  const before = code.length;
  await links.click();
  await expect(page.getByRole("heading", { name: "Payment links" })).toBeVisible();
  expect(code.slice(before)).toEqual([]);

  await page.getByRole("navigation").getByRole("link", { name: "Payment methods" }).focus();
  await expect.poll(() => code.flat()).toContain(own("methods"));
});

// The link builder checks amounts as they are typed, with the engine's own parser: Persian
// digits and separators are an amount, anything else is named in the page's language before
// the form is sent; the server still checks what is sent.
test("the link builder checks amounts as they are typed, in Persian and in Hebrew", async ({ page }) => {
  const { slug, email } = unique("live");
  await signUp(page, true, slug, email, "IRR");
  await open(page, "/admin/links?lang=fa", true);
  const amount = page.locator("#amount");
  const error = page.locator("#err-amount");
  await amount.pressSequentially("۱۲x");
  await expect(error).toHaveText("مبلغ را با عدد وارد کنید.");
  await expect(amount).toHaveAttribute("aria-invalid", "true");
  await amount.fill("");
  await amount.pressSequentially("۱۲۰٬۰۰۰");
  await expect(error).toBeHidden();
  await expect(amount).not.toHaveAttribute("aria-invalid", "true");
  await page.locator("#description").fill("کاشی");
  await page.getByRole("button", { name: "ساخت لینک" }).click();
  await expect(page.getByText("لینک آماده است")).toBeVisible();
  await expect(page.getByTestId("link-url")).toHaveValue(/price=120000/);

  await open(page, "/admin/links?lang=he", true);
  await page.locator("#max_amount").pressSequentially("-5");
  await expect(page.locator("#err-max_amount")).toHaveText("הסכום אינו יכול להיות שלילי.");
});

// The link builder shows the link it makes as the merchant types: its address and QR code
// (from the server, which signs) and what the customer will see (drawn in the browser). The
// link it then makes has the address it showed.
test("the link builder shows the link and the customer's view as they are typed", async ({ page }) => {
  const { slug, email } = unique("preview");
  await signUp(page, true, slug, email, "IRR");
  await open(page, "/admin/links?lang=fa", true);
  // The address is an input while the form is valid, a note while it is not.
  const address = page.locator("input[data-testid=preview-url]");
  const waiting = page.locator("p[data-testid=preview-url]");
  const qr = page.getByTestId("preview-qr");
  await expect(address).toHaveValue(/link=[0-9a-f]{32}&sig=/);
  const emptyQr = await qr.innerHTML();

  await page.locator("#description").fill("کلاس سفال");
  await page.locator("#amount").pressSequentially("۱۲۰٬۰۰۰");
  const view = page.getByTestId("customer-view");
  await expect(view).toContainText("کلاس سفال");
  await expect(page.getByTestId("preview-amount")).toContainText("۱۲۰٬۰۰۰");
  await expect(address).toHaveValue(/price=120000/);
  await expect(qr).not.toHaveJSProperty("innerHTML", emptyQr);

  // A refused amount has no address until it is put right.
  await page.locator("#amount").pressSequentially("x");
  await expect(waiting).toHaveText("نشانی و کد QR پیوند وقتی همهٔ فیلدها درست باشند نمایش داده می‌شوند.");
  await page.locator("#amount").press("Backspace");
  await expect(address).toHaveValue(/price=120000/);
  const shown = await address.inputValue();

  await page.getByRole("button", { name: "ساخت لینک" }).click();
  await expect(page.getByText("لینک آماده است")).toBeVisible();
  await expect(page.getByTestId("link-url")).toHaveValue(shown);
  // The next link gets an address of its own.
  await expect(address).toHaveValue(/link=[0-9a-f]{32}&sig=/);
  await expect(address).not.toHaveValue(shown);
});

// Saving a form says so in a toast at the foot of the window, a live region read out once,
// and leaves the merchant where they were on the page (the form's data is read again in
// place); the toast fades by itself.
test("saving shows a toast and keeps the place", async ({ page }) => {
  const { slug, email } = unique("toast");
  await signUp(page, true, slug, email);
  await page.setViewportSize({ width: 1280, height: 480 });
  await open(page, "/admin/settings", true);
  await page.getByLabel("Store name").fill("Dana's Kiln");
  const save = page.getByRole("button", { name: "Save" }).last();
  await save.scrollIntoViewIfNeeded();
  const before = await page.evaluate(() => window.scrollY);
  expect(before).toBeGreaterThan(0);
  await save.click();
  const toast = page.getByRole("status").filter({ hasText: "Settings saved." });
  await expect(toast).toBeInViewport();
  // Where the merchant was: not sent back to the top, the button they pressed still in view.
  expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  await expect(save).toBeInViewport();
  await expect(toast).toBeHidden({ timeout: 10_000 });
});

// Bank account numbers are checked by their checksums as they are typed, with the parser the
// server uses: an IBAN in Hebrew, a card number typed in Persian digits.
test("bank account numbers are checked as they are typed", async ({ page }) => {
  const { slug, email } = unique("iban");
  await signUp(page, true, slug, email);
  await open(page, "/admin/bank-accounts?lang=he", true);
  const iban = page.locator("#iban");
  await iban.pressSequentially("IL62 0108 0000 0009 9999 998");
  await expect(page.locator("#err-iban")).toHaveText("הערך אינו תקין.");
  await expect(iban).toHaveAttribute("aria-invalid", "true");
  await iban.press("Backspace");
  await iban.pressSequentially("9");
  await expect(page.locator("#err-iban")).toBeHidden();

  await open(page, "/admin/bank-accounts?lang=fa", true);
  const card = page.locator("#card_number");
  await card.pressSequentially("۶۰۳۷ ۹۹۰۰ ۰۰۰۰ ۰۰۰۶");
  await expect(page.locator("#err-card_number")).toBeHidden();
  await card.pressSequentially("۱");
  await expect(page.locator("#err-card_number")).toHaveText("مقدار وارد‌شده معتبر نیست.");
});

/** Signs up an Iranian store with a bank account for slips; its owner ends on the payments list. */
async function storeTakingSlips(page: Page, prefix: string): Promise<string> {
  const { slug, email } = unique(prefix);
  await signUp(page, true, slug, email, "IRR");
  await page.getByRole("link", { name: "Bank accounts" }).click();
  await page.getByLabel("Bank", { exact: true }).fill("Bank Melli");
  await page.getByLabel("Account holder").fill("Sara Ahmadi");
  await page.getByLabel("Account number").fill("0101234567001");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Bank account saved.")).toBeVisible();
  await page.getByRole("navigation").getByRole("link", { name: /^Payments/ }).click();
  await expect(page.getByRole("heading", { name: "Payments" })).toBeVisible();
  return slug;
}

/** A customer, in a browser of their own, registers a bank slip at the store `slug`. */
async function registerSlip(browser: Browser, slug: string, payer: string) {
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`/s/${slug}/openpay?receivername=${encodeURIComponent(payer)}&description=Tiles&price=75000&lang=en`);
  await customer.locator("#mobile").fill("09121234567");
  await customer.getByLabel("Register a bank slip").check();
  await customer.locator("#bank_account").selectOption({ index: 0 });
  await customer.locator("#slip_number").fill("314159");
  await customer.locator("#slip_date").fill("2026-11-30");
  await customer.getByRole("button", { name: "Pay and finish" }).click();
  await expect(customer.getByRole("heading", { name: "Your bank slip is registered" })).toBeVisible();
  await customer.context().close();
}

/** A store whose merchant confirmed a slip `payer` registered: one paid payment. Its slug. */
async function storePaidBySlip(page: Page, browser: Browser, prefix: string, payer: string) {
  const slug = await storeTakingSlips(page, prefix);
  await registerSlip(browser, slug, payer);
  await page.reload();
  await page.getByRole("row").filter({ hasText: payer }).getByRole("link").first().click();
  await page.getByRole("button", { name: "Confirm payment" }).click();
  await expect(page.getByText("The slip is confirmed: the payment is paid.")).toBeVisible();
  return slug;
}

// The payments list updates by itself: a slip a customer registers in another browser shows
// in the merchant's open list, and the navigation's badge counts it, without a page load.
test("a payment made elsewhere appears in the open payments list", async ({ page, browser }) => {
  const slug = await storeTakingSlips(page, "live");
  await expect(page.getByTestId("slips-badge")).toHaveCount(0);
  const documents: string[] = [];
  page.on("request", (r) => {
    if (r.resourceType() === "document") documents.push(r.url());
  });
  await page.evaluate(() => ((window as unknown as { firstLoad: boolean }).firstLoad = true));

  await registerSlip(browser, slug, "Navid Karimi");

  await expect(page.getByRole("row").filter({ hasText: "Navid Karimi" })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId("slips-badge")).toHaveText("1");
  await expect(page.getByRole("status").filter({ hasText: "the list was updated" })).toBeAttached();
  expect(documents).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { firstLoad?: boolean }).firstLoad)).toBe(true);
});

// A click on a link or button of the report (the export) does not hold news back; a field
// being typed in does, until the focus leaves it. The export's status outlives the update.
test("news comes in after an export, and waits while a filter is being typed", async ({ page, browser }) => {
  const slug = await storeTakingSlips(page, "export-live");
  await registerSlip(browser, slug, "Navid Karimi");
  await expect(page.getByRole("row").filter({ hasText: "Navid Karimi" })).toBeVisible({ timeout: 10_000 });
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  await download;
  const exported = page.getByTestId("export-status");
  await expect(exported).toHaveText("Exported to payments.csv. Payments: 1.");

  await registerSlip(browser, slug, "Omid Rahimi");
  await expect(page.getByRole("row").filter({ hasText: "Omid Rahimi" })).toBeVisible({ timeout: 10_000 });
  await expect(exported).toHaveText("Exported to payments.csv. Payments: 1.");

  const search = page.getByLabel("Search");
  await search.fill("Sara");
  await registerSlip(browser, slug, "Sara Ahmadi");
  await expect(page.getByTestId("slips-badge")).toHaveText("3");
  await expect(search).toBeFocused();
  await expect(search).toHaveValue("Sara");
  await expect(page.getByRole("row").filter({ hasText: "Sara Ahmadi" })).toHaveCount(0);
  await page.getByRole("heading", { name: "Payments" }).click();
  await expect(page.getByRole("row").filter({ hasText: "Sara Ahmadi" })).toBeVisible();
});

// What cannot be undone asks first, and unsaved changes are not lost by a click elsewhere.
test("rejecting a slip and leaving unsaved changes ask first", async ({ page, browser }) => {
  const slug = await storeTakingSlips(page, "guard");
  await registerSlip(browser, slug, "Navid Karimi");
  await page.reload();
  await page.getByRole("row").filter({ hasText: "Navid Karimi" }).getByRole("link").first().click();
  const questions: string[] = [];
  page.once("dialog", (d) => {
    questions.push(d.message());
    void d.dismiss();
  });
  await page.getByRole("button", { name: "Reject slip" }).click();
  expect(questions).toEqual(["Reject this bank slip? This cannot be undone: the payment ends as rejected."]);
  await expect(page.getByRole("button", { name: "Reject slip" })).toBeVisible();
  await expect(page.getByText("The slip is rejected.")).toHaveCount(0);

  await page.getByRole("link", { name: "Store settings" }).click();
  await page.getByLabel("Store name").fill("Sara's Tiles");
  page.once("dialog", (d) => {
    questions.push(d.message());
    void d.dismiss();
  });
  await page.getByRole("navigation").getByRole("link", { name: /^Payments/ }).click();
  expect(questions[1]).toBe("You have changes that are not saved. Leave this page without saving them?");
  await expect(page.getByRole("heading", { name: "Store settings" })).toBeVisible();
  await expect(page.getByLabel("Store name")).toHaveValue("Sara's Tiles");
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("navigation").getByRole("link", { name: /^Payments/ }).click();
  await expect(page.getByRole("heading", { name: "Payments" })).toBeVisible();
  // Once left, nothing is unsaved: the next move does not ask.
  await page.getByRole("link", { name: "Overview" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
});

// The chart tells each day's payments and amount under the pointer and to the keyboard: one
// stop in the tab order, the arrow keys, Home and End move along the days. News waits while a
// day has the focus (reading the page again would take it), and comes in once it leaves.
test("the payments chart shows a day's figures on hover and focus", async ({ page, browser }) => {
  const slug = await storePaidBySlip(page, browser, "chart", "Navid Karimi");
  await page.getByRole("navigation").getByRole("link", { name: /^Payments/ }).click();
  const days = page.getByTestId("chart-days").getByRole("listitem");
  await expect(days).toHaveCount(30);
  // A day's text is clipped away (yet read out) until the day is pointed at or focused.
  const shown = (day: Locator) => day.locator(".tip").evaluate((tip) => getComputedStyle(tip).clipPath === "none");
  const today = days.last();
  expect(await shown(today)).toBe(false);
  await today.hover();
  await expect.poll(() => shown(today)).toBe(true);
  await expect(today).toHaveText(/: 1 · 75,000 rial$/);

  await page.mouse.move(0, 0);
  await today.focus();
  await registerSlip(browser, slug, "Sara Levi");
  await expect(page.getByTestId("slips-badge")).toHaveText("1");
  await page.keyboard.press("ArrowLeft");
  const yesterday = days.nth(28);
  await expect(yesterday).toBeFocused();
  expect(await shown(yesterday)).toBe(true);
  await expect(yesterday).toHaveText(/: 0 · /);
  await expect(yesterday).toHaveAttribute("tabindex", "0");
  await expect(today).toHaveAttribute("tabindex", "-1");
  await page.keyboard.press("Home");
  await expect(days.first()).toBeFocused();
  await page.keyboard.press("End");
  await expect(today).toBeFocused();
  await expect(page.getByRole("row").filter({ hasText: "Sara Levi" })).toHaveCount(0);
  await page.getByRole("link", { name: "Overview" }).focus();
  await expect(page.getByRole("row").filter({ hasText: "Sara Levi" })).toBeVisible();
});

// The payments table shows every column at 1280 px, nothing cut or scrolled; on a phone each
// row is a card of named lines, and the receipts table too.
test("the payments table fits a desktop and becomes cards on a phone", async ({ page, browser }) => {
  await storePaidBySlip(page, browser, "fit", "Navid Karimi-Esfahani Tehrani");

  // Every cell's content inside its cell, the table inside its region and the window.
  const clipped = (selector: string) =>
    page.locator(selector).evaluate((table) => {
      const region = table.parentElement as HTMLElement;
      const cut = [...table.querySelectorAll("th, td")]
        .filter((cell) => cell.scrollWidth > cell.clientWidth)
        .map((cell) => cell.textContent);
      if (region.scrollWidth > region.clientWidth) cut.push("the table scrolls sideways");
      if (table.getBoundingClientRect().right > window.innerWidth) cut.push("the table passes the window");
      return cut;
    });
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, "/admin/payments?lang=en", true);
  const row = page.getByRole("row").filter({ hasText: "Navid Karimi" });
  await expect(row.getByRole("cell")).toHaveCount(9);
  expect(await clipped("table[data-testid=payments]")).toEqual([]);
  // A row, not a card: its cells side by side.
  const cells = await row.getByRole("cell").evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect().top));
  expect(new Set(cells).size).toBe(1);

  await page.setViewportSize({ width: 375, height: 740 });
  for (const path of ["/admin/payments", "/admin/receipts"]) {
    const card = page.locator("tbody tr").filter({ hasText: "Navid Karimi" });
    // The receipt is issued by a worker moments after the payment.
    await expect(async () => {
      await page.goto(`${path}?lang=en`);
      await expect(card).toBeVisible({ timeout: 1_000 });
    }).toPass();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
    // Its cells stacked, each named by its column.
    const lines = await card.locator("td").evaluateAll((tds) =>
      tds.map((td) => ({
        left: td.getBoundingClientRect().left,
        label: getComputedStyle(td, "::before").content,
      })),
    );
    expect(new Set(lines.map((l) => l.left)).size).toBe(1);
    expect(lines.every((l) => l.label.length > 2 && l.label !== "none")).toBe(true);
    // Measured in one step: the live list may redraw the row between two.
    const right = await card.evaluate((tr) => tr.getBoundingClientRect().right);
    expect(right).toBeLessThanOrEqual(375);
  }
  const labels = await page
    .locator("tbody tr td")
    .evaluateAll((tds) => tds.slice(0, 5).map((td) => getComputedStyle(td, "::before").content));
  expect(labels).toEqual(['"No."', '"Issued"', '"Payer"', '"Amount paid"', '"Receipt"']);
  // On the payments page the sortable columns' headers stay, as the sort links.
  await open(page, "/admin/payments?lang=en", true);
  for (const name of ["Date", "Full name", "Amount", "Status"]) {
    // (The sorted one's name ends with its arrow.)
    await expect(page.locator("thead").getByRole("link", { name: new RegExp(`^${name}`) })).toBeVisible();
  }
});

// A provider's settings are checked as they are typed, by the provider's own check (it lives
// with the provider on the server), in the page's language; nothing is saved meanwhile.
test("a provider's settings and the discount are checked as they are typed", async ({ page }) => {
  const { slug, email } = unique("keys");
  await signUp(page, true, slug, email);
  const saves: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/admin/method") && !r.url().includes("check-setting") && r.method() === "POST") saves.push(r.url());
  });
  // Keys typed before the page is hydrated are checked by the server alone.
  await open(page, "/admin/methods?add=payme&lang=en", true);
  const key = page.getByLabel(/^Seller key/);
  await key.pressSequentially("XPL1");
  await expect(page.getByText(/starts with MPL/)).toBeVisible();
  await expect(key).toHaveAttribute("aria-invalid", "true");
  await key.fill("MPL12345-ABCDEFGH-ABCDEFGH");
  await expect(page.getByText("The key has 26 characters; a PayMe seller key has 35", { exact: false })).toBeVisible();
  await key.fill("MPL12345-ABCDEFGH-ABCDEFGH-ABCDEFGH");
  await expect(key).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText(/The key has/)).toHaveCount(0);
  // The discount, by the engine's own parser in the browser, for the kind chosen.
  await page.getByLabel("Discount for paying with this method").selectOption("percent");
  const discount = page.getByLabel("Discount amount or percentage");
  await discount.pressSequentially("12.345");
  await expect(discount).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Too many decimals for this currency.")).toBeVisible();
  await discount.fill("150");
  await expect(page.getByText("The maximum for this method is 100%.")).toBeVisible();
  await discount.fill("12.5");
  await expect(discount).not.toHaveAttribute("aria-invalid", "true");

  await open(page, "/admin/methods?add=payme&lang=he", true);
  const hebrew = page.getByLabel(/^מפתח מזהה/);
  await hebrew.pressSequentially("MPL1234");
  await expect(page.getByText("למפתח יש 7 תווים", { exact: false })).toBeVisible();
  await expect(hebrew).toHaveAttribute("aria-invalid", "true");
  // In Persian the count is in Persian digits, as everywhere on a Persian page.
  await open(page, "/admin/methods?add=payme&lang=fa", true);
  await page.getByLabel(/^کلید فروشنده/).pressSequentially("MPL1234");
  await expect(page.getByText("کلید ۷ نویسه دارد", { exact: false })).toBeVisible();
  expect(saves).toEqual([]);
});
