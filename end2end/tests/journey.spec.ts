import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { open, password, test, unique } from "./fixtures";

// A 1×1 transparent PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

/** A mark on the page's window: with JavaScript, the back office is one page load from the
 * sign-up on, so the mark set then is still there after every move (a full load loses it). */
async function markFirstLoad(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { kassaFirstLoad: boolean }).kassaFirstLoad = true;
  });
}

async function expectNoFullLoad(page: Page, js: boolean) {
  if (!js) return;
  const marked = await page.evaluate(() => (window as unknown as { kassaFirstLoad?: boolean }).kassaFirstLoad);
  expect(marked, `${page.url()} was a full page load`).toBe(true);
}

/** Reads the back-office page `name` (a link of the navigation) again: with JavaScript by
 * moving to `away` and back inside the app, without by reloading it. */
async function readAgain(page: Page, js: boolean, away: string, name: string | RegExp) {
  if (!js) return page.reload();
  const nav = page.getByRole("navigation");
  await nav.getByRole("link", { name: away, exact: true }).click();
  await nav.getByRole("link", { name }).click();
}

/** Signs up an Iranian store with a Zarinpal gateway and a bank account for slips. */
async function storeWithGatewayAndAccount(page: Page, js: boolean): Promise<string> {
  const { slug, email } = unique("journey");
  await open(page, "/admin/signup?lang=en", js);
  if (js) await markFirstLoad(page);
  await page.getByLabel("Store name").fill("Parsa Tiles");
  await page.getByLabel("Web address").fill(slug);
  await page.getByLabel("Currency").selectOption("IRR");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create store" }).click();
  await expect(page).toHaveURL(/\/admin\/settings$/);

  await page.getByRole("link", { name: "Payment methods" }).click();
  await page.getByRole("link", { name: "Add Zarinpal" }).click();
  await page.getByLabel("Name shown to customers").fill("Zarinpal card");
  await page.getByLabel(/^Merchant ID/).fill("5f0c1a8e-2b7d-4e19-9c3a-6d8e0f1b2c3d");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Payment method saved.")).toBeVisible();

  await page.getByRole("link", { name: "Bank accounts" }).click();
  await page.getByLabel("Bank", { exact: true }).fill("Bank Mellat");
  await page.getByLabel("Account holder").fill("Parsa Tiles");
  await page.getByLabel("Account number").fill("4455667788");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Bank account saved.")).toBeVisible();

  await page.getByRole("link", { name: "Store settings" }).click();
  await page.getByLabel("Image file").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload logo" }).click();
  await expect(page.getByText("Logo saved.")).toBeVisible();
  await expect(page.locator("img.logo-preview")).toBeVisible();
  await expectNoFullLoad(page, js);
  return slug;
}

for (const js of [true, false]) {
  test.describe(`the merchant's journey with JavaScript ${js ? "on" : "off"}`, () => {
    test.use({ javaScriptEnabled: js });

    test("sign up, set up, sell through a signed link, check the report, confirm a slip, export CSV", async ({ page, browser }) => {
      test.setTimeout(90_000);
      await storeWithGatewayAndAccount(page, js);

      // A signed link for a fixed amount, used at most five times.
      await page.getByRole("link", { name: "Payment links" }).click();
      await page.getByLabel("Description", { exact: true }).fill("Tile workshop");
      await page.getByLabel("Amount", { exact: true }).fill("150000");
      await page.getByLabel("Usage limit").fill("5");
      await page.getByRole("button", { name: "Create link" }).click();
      await expect(page.getByText("The link is ready")).toBeVisible();
      await expect(page.getByTestId("shown-link").locator("svg")).toBeVisible();
      const url = await page.getByTestId("link-url").inputValue();
      const shown = new URL(page.url());
      const linkPage = `${shown.pathname}${shown.search}`;
      expect(url).toContain("&sig=");

      // A customer pays online through it, in a browser of their own (with JavaScript).
      const online = await (await browser.newContext()).newPage();
      await online.goto(`${url}&lang=en`);
      await expect(online.getByTestId("description")).toHaveText("Tile workshop");
      await expect(online.locator("img.store-logo")).toBeVisible();
      await online.getByLabel("Full name").fill("Sara Online");
      await online.locator("#mobile").fill("09121234567");
      await online.getByRole("button", { name: "Pay and finish" }).click();
      // "Pay and finish" also matches /^Pay/: wait for the gateway's page before paying there.
      await expect(online).toHaveURL(/\/sim\/zarinpal\/pg\/StartPay\//);
      await online.getByRole("button", { name: /^Pay/ }).click();
      await expect(online.getByRole("heading", { name: "Payment successful" })).toBeVisible();

      // Another registers a bank slip through the same link.
      const slip = await (await browser.newContext()).newPage();
      await slip.goto(`${url}&lang=en`);
      await slip.getByLabel("Full name").fill("Reza Slip");
      await slip.locator("#mobile").fill("09351234567");
      await slip.getByLabel("Register a bank slip").check();
      await slip.locator("#slip_number").fill("778899");
      await slip.locator("#slip_date").fill("2026-11-20");
      await slip.getByRole("button", { name: "Pay and finish" }).click();
      await expect(slip.getByTestId("summary")).toContainText("778899");

      // An edited link shows why it cannot be paid.
      const edited = await (await browser.newContext()).newPage();
      await edited.goto(`${url.replace("price=150000", "price=1")}&lang=en`);
      await expect(edited.getByRole("heading", { name: "This payment link was changed" })).toBeVisible();

      // The merchant sees both in the report, and the link's use count.
      await readAgain(page, js, "Receipts", "Payment links");
      await expect(page.getByTestId("link-item")).toContainText("2 of 5 uses");
      await expect(page.getByTestId("link-item")).toContainText("1 paid");
      // The navigation's link counts the slip waiting (its name says so to screen readers).
      await page.getByRole("navigation").getByRole("link", { name: /^Payments \(bank slips to check: 1\)$/ }).click();
      const table = page.getByTestId("payments");
      await expect(table.getByRole("row")).toHaveCount(3);
      await expect(page.getByTestId("totals")).toContainText(/Slips to check\s*1/);

      await page.getByLabel("Search").fill("Reza");
      await page.getByRole("button", { name: "Filter" }).click();
      await expect(table.getByRole("row")).toHaveCount(2);
      await table.getByRole("row", { name: /Reza Slip/ }).getByRole("link").click();
      await expect(page.getByTestId("timeline")).toContainText("created");
      await page.getByLabel("Reason or note").fill("On the bank statement of 20 Nov");
      await page.getByRole("button", { name: "Confirm payment" }).click();
      await expect(page.getByText("The slip is confirmed")).toBeVisible();
      await expect(page.getByTestId("timeline")).toContainText("slip_confirmed");
      await expect(page.getByTestId("timeline")).toContainText("On the bank statement of 20 Nov");
      const detail = new URL(page.url()).pathname;

      await page.getByRole("link", { name: "Back to payments" }).click();
      await table.getByRole("row", { name: /Sara Online/ }).getByRole("link").click();
      await expect(page.getByTestId("timeline")).toContainText("verified");
      // The merchant was told of the sale by e-mail; the page says the message went out.
      await expect(async () => {
        if (js) {
          await page.getByRole("link", { name: "Back to payments" }).click();
          await table.getByRole("row", { name: /Sara Online/ }).getByRole("link").click();
        } else {
          await page.reload();
        }
        await expect(page.getByTestId("mail").first()).toHaveAttribute("data-state", "sent", { timeout: 1_000 });
      }).toPass({ timeout: 20_000 });
      await expect(page.getByTestId("mails")).toContainText("New payment, to you");

      // The export of every payment: a BOM, a header and both rows, paid.
      await page.getByRole("link", { name: "Back to payments" }).click();
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "Export CSV" }).click(),
      ]);
      const csv = readFileSync(await download.path());
      expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = csv.toString("utf8").slice(1).trim().split("\r\n");
      expect(lines[0]).toContain("payment_code,date_local,payer,mobile,amount");
      expect(lines).toHaveLength(3);
      for (const name of ["Sara Online", "Reza Slip"]) {
        const line = lines.find((l) => l.includes(name)) ?? "";
        expect(line).toContain(",paid,");
        expect(line).toContain("Tile workshop");
      }
      // In the app the export is fetched there, its rows counted as they arrive (a live region).
      if (js) {
        await expect(page.getByTestId("export-status")).toHaveText("Exported to payments.csv. Payments: 2.");
      }

      // Both paid payments have their receipts, listed for the merchant (a receipt is issued by a
      // job a few moments after the payment moved).
      await page.getByRole("link", { name: "Receipts", exact: true }).click();
      const receipts = page.getByTestId("receipts");
      await expect(async () => {
        await readAgain(page, js, "Overview", "Receipts");
        await expect(receipts.getByTestId("receipt-row")).toHaveCount(2, { timeout: 1_000 });
      }).toPass({ timeout: 20_000 });
      await expect(receipts).toContainText("Sara Online");
      await expect(receipts).toContainText("Reza Slip");
      await expectNoFullLoad(page, js);

      // The slip's payer reads their receipt in Persian and gets its PDF.
      await slip.goto(`${new URL(slip.url()).pathname}?lang=fa`);
      const receiptLink = slip.getByTestId("receipt-link");
      await expect(receiptLink).toBeVisible({ timeout: 15_000 });
      await receiptLink.click();
      await expect(slip.getByRole("heading", { name: /^رسید شمارهٔ [۱۲]$/ })).toBeVisible();
      await expect(slip.getByTestId("receipt")).toContainText("Reza Slip");
      await expect(slip.getByTestId("receipt")).toContainText("۱۵۰٬۰۰۰ ریال");
      const pdfHref = (await slip.getByTestId("receipt-pdf").getAttribute("href")) ?? "";
      expect(pdfHref).toMatch(/\/pdf\?lang=fa$/);
      const pdf = await slip.request.get(pdfHref);
      expect(pdf.headers()["content-type"]).toBe("application/pdf");

      // The report's pages, with data in them, pass the accessibility scan and fit a phone.
      if (!js) return;
      const withData = ["/admin/payments", "/admin/receipts", detail, linkPage];
      for (const path of withData) {
        await open(page, path, true);
        const results = await new AxeBuilder({ page }).analyze();
        const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        expect(serious.map((v) => `${path}: ${v.id} ${v.help}`)).toEqual([]);
      }
      await page.setViewportSize({ width: 375, height: 740 });
      for (const path of withData) {
        await open(page, path, true);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
      }
    });
  });
}
