import { expect, type Page } from "@playwright/test";
import { open, openMail, pdfText, test, unique } from "./fixtures";

const link = "/openpay?receivername=Sara%20Ahmadi&description=Order%201042&price=120000&lang=en";

/** Fills in a bank slip (first account) and submits the form. */
async function paySlip(page: Page, mobile: string, slipNumber: string, slipDate: string) {
  await page.locator("#mobile").fill(mobile);
  await page.getByLabel("Register a bank slip").check();
  await page.locator("#bank_account").selectOption({ index: 1 });
  await page.locator("#slip_number").fill(slipNumber);
  await page.locator("#slip_date").fill(slipDate);
  await page.getByRole("button", { name: "Pay and finish" }).click();
}

async function trackingCode(page: Page): Promise<string> {
  const row = page.getByTestId("summary").locator(".row").filter({ hasText: "Tracking code" });
  return (await row.locator("dd").innerText()).trim();
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(`checkout with JavaScript ${javaScriptEnabled ? "on" : "off"}`, () => {
    test.use({ javaScriptEnabled });

    test("a prefilled link is paid at the gateway, tracked, and its receipt e-mailed", async ({ page }) => {
      const { email } = unique("sara");
      await open(page, link, javaScriptEnabled);
      await expect(page.locator("#receivername")).toHaveValue("Sara Ahmadi");
      await expect(page.locator("#description")).toHaveValue("Order 1042");
      await expect(page.getByTestId("amount")).toHaveText("120,000 toman");
      await page.locator("#mobile").fill("0912 123 4567");
      await page.locator("#email").fill(email);
      await page.getByRole("button", { name: "Pay and finish" }).click();

      await expect(page).toHaveURL(/\/sim\/zarinpal\/pg\/StartPay\/A\d{35}$/);
      await expect(page.getByTestId("sim-amount")).toHaveText("1200000");
      await page.getByRole("button", { name: /^Pay/ }).click();

      await expect(page).toHaveURL(/\/pay\/[0-9A-Z]{12}$/);
      await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible();
      await expect(page.getByTestId("summary")).toContainText("Bank reference");
      await expect(page.getByTestId("summary")).toContainText("502229******5995");
      // The receipt follows within moments (the page looks again by itself until it has it).
      const receipt = page.getByTestId("receipt-link");
      await expect(receipt).toBeVisible({ timeout: 15_000 });
      const code = await trackingCode(page);
      expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      await receipt.click();
      await expect(page).toHaveURL(/\/r\/[0-9a-f]{32}$/);
      await expect(page.getByRole("heading", { name: /^Receipt No\. \d+$/ })).toBeVisible();
      await expect(page.getByTestId("receipt")).toContainText("Sara Ahmadi");
      await expect(page.getByTestId("receipt")).toContainText("120,000 toman");
      await expect(page.getByTestId("receipt")).toContainText("not a tax invoice");
      // Its PDF, in the page's language: the first made is the original.
      const pdfLink = page.getByTestId("receipt-pdf");
      await expect(pdfLink).toHaveAttribute("href", /\/r\/[0-9a-f]{32}\/pdf\?lang=en$/);
      const pdf = await page.request.get((await pdfLink.getAttribute("href")) ?? "");
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()["content-type"]).toBe("application/pdf");
      expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");

      await page.goto(`/track/${code.toLowerCase()}`);
      await expect(page.getByTestId("summary")).toContainText("Paid");
      await expect(page.getByTestId("summary")).toContainText("120,000 toman");

      // The receipt reached the payer's mailbox (the sandbox's), in English, with its PDF.
      await openMail(page, email);
      await expect(page.getByTestId("sim-mail-subject")).toHaveText(/^Your receipt No\. \d+ from /);
      await expect(page.getByTestId("sim-mail-text")).toContainText("Sara Ahmadi");
      await expect(page.getByTestId("sim-mail-text")).toContainText(code);
      const attached = await page.request.get(
        (await page.getByTestId("sim-mail-attachment").getAttribute("href")) ?? "",
      );
      expect(attached.headers()["content-type"]).toBe("application/pdf");
      const text = pdfText(await attached.body());
      expect(text).toContain("Sara Ahmadi");
      expect(text).toContain("120,000");
    });

    test("cancelling at the gateway keeps the failure and offers a retry", async ({ page }) => {
      await open(page, link, javaScriptEnabled);
      await page.locator("#mobile").fill("+989121234567");
      await page.getByRole("button", { name: "Pay and finish" }).click();
      await expect(page).toHaveURL(/StartPay/);
      await page.getByRole("button", { name: /^Cancel/ }).click();

      await expect(page.getByRole("heading", { name: "Payment cancelled" })).toBeVisible();
      const code = await trackingCode(page);
      const retry = page.getByRole("link", { name: "Try again" });
      await expect(retry).toHaveAttribute("href", /receivername=Sara\+Ahmadi.*price=120000/);
      await page.goto(`/track/${code}`);
      await expect(page.getByTestId("summary")).toContainText("Cancelled");
    });

    test("a bank slip is registered and waits for the merchant", async ({ page }) => {
      await open(page, "/openpay?lang=en", javaScriptEnabled);
      await page.locator("#receivername").fill("Reza Karimi");
      await page.locator("#amount").fill("۲۵۰٬۰۰۰");
      await paySlip(page, "09351234567", "778899", "2026-01-15");

      await expect(page.getByRole("heading", { name: "Your bank slip is registered" })).toBeVisible();
      await expect(page.getByTestId("summary")).toContainText("250,000 toman");
      await expect(page.getByTestId("summary")).toContainText("778899");
      const code = await trackingCode(page);
      await page.goto(`/track/${code}`);
      await expect(page.getByTestId("summary")).toContainText("Waiting for the merchant to confirm the slip");
    });

    test("validation errors appear beside the fields and keep what was typed", async ({ page }) => {
      await open(page, "/openpay?lang=en", javaScriptEnabled);
      await page.locator("#receivername").fill("Sara");
      await page.locator("#mobile").fill("12345");
      await page.locator("#amount").fill("-500");
      await page.locator("#email").fill("not-an-email");
      await page.getByRole("button", { name: "Pay and finish" }).click();

      await expect(page.locator("#err-mobile")).toContainText("Enter a mobile number");
      await expect(page.locator("#err-amount")).toHaveText("The amount cannot be negative.");
      await expect(page.locator("#err-email")).toHaveText("This value is not valid.");
      await expect(page.locator("#receivername")).toHaveValue("Sara");
      await expect(page.locator("#mobile")).toHaveValue("12345");
      await expect(page.locator("#amount")).toHaveValue("-500");
      await expect(page.locator("#mobile")).toHaveAttribute("aria-invalid", "true");
      // What was typed comes back from a short-lived draft, not from the URL.
      await expect(page).toHaveURL(/\/openpay\?draft=[0-9a-f]{32}$/);
    });

    test("going back and submitting the same form again makes one payment", async ({ page }) => {
      await open(page, "/openpay?lang=en&price=50000&receivername=Back%20Button", javaScriptEnabled);
      const submit = async (slipNumber: string) => {
        await paySlip(page, "09121234567", slipNumber, "2026-01-02");
        await expect(page).toHaveURL(/\/pay\/[0-9A-Z]{12}$/);
        return page.url();
      };
      const first = await submit("777");
      await page.goBack();
      expect(await submit("777")).toBe(first);
      // Back again with a different slip: that is another payment.
      await page.goBack();
      expect(await submit("778")).not.toBe(first);
    });

    test("Hebrew and Persian pages are right-to-left", async ({ page }) => {
      await page.goto("/openpay?price=120000&lang=fa");
      await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
      await expect(page.locator("html")).toHaveAttribute("lang", "fa");
      await expect(page.getByTestId("amount")).toHaveText("۱۲۰٬۰۰۰ تومان");
      await page.goto("/track?lang=he");
      await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
      await expect(page.getByRole("heading", { name: "מעקב אחר תשלום" })).toBeVisible();
      // The choice is remembered: the next page without ?lang= stays in Hebrew.
      await page.goto("/openpay");
      await expect(page.locator("html")).toHaveAttribute("lang", "he");
    });
  });
}

test("a Persian payer gets the receipt e-mailed in Persian, with a Persian PDF", async ({ page }) => {
  const { email } = unique("omid");
  await open(page, "/openpay?receivername=%D8%B3%D8%A7%D8%B1%D8%A7%20%D8%A7%D8%AD%D9%85%D8%AF%DB%8C&price=120000&lang=fa", true);
  await expect(page.getByTestId("amount")).toHaveText("۱۲۰٬۰۰۰ تومان");
  // Persian digits are taken as typed.
  await page.locator("#mobile").fill("۰۹۱۲ ۱۲۳ ۴۵۶۷");
  await page.locator("#email").fill(email);
  await page.getByRole("button", { name: "پرداخت و اتمام خرید" }).click();
  await expect(page).toHaveURL(/\/sim\/zarinpal\/pg\/StartPay\/A\d{35}$/);
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByRole("heading", { name: "پرداخت با موفقیت انجام شد" })).toBeVisible();

  await openMail(page, email);
  await expect(page.getByTestId("sim-mail-subject")).toHaveText(/^رسید شما به شمارهٔ [۰-۹]+ از /);
  await expect(page.getByTestId("sim-mail-text")).toContainText("سارا احمدی");
  const attached = await page.request.get(
    (await page.getByTestId("sim-mail-attachment").getAttribute("href")) ?? "",
  );
  expect(attached.headers()["content-type"]).toBe("application/pdf");
  // pdftotext gives right-to-left runs in display order: look for the words one by one.
  const text = pdfText(await attached.body());
  for (const word of ["سارا", "احمدی", "۱۲۰٬۰۰۰", "تومان", "اصل"]) expect(text).toContain(word);
});

test("customer pages load no script file and no wasm, and every step works", async ({ page }) => {
  // Only the page itself and its stylesheet, icon and images: no Leptos loader, no wasm.
  const fetched: string[] = [];
  page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  await open(page, "/openpay?lang=en", true);
  await expect(page.locator("html")).toHaveAttribute("data-js", "");

  await page.locator("#receivername").fill("Sara");
  await page.getByRole("button", { name: "Pay and finish" }).click();
  await expect(page.locator("#err-mobile")).toBeVisible();
  // The refused form comes back with what was typed.
  await expect(page.locator("#receivername")).toHaveValue("Sara");

  await page.locator("#amount").fill("75000");
  await paySlip(page, "09121234567", "5151", "2026-02-01");
  await expect(page.getByRole("heading", { name: "Your bank slip is registered" })).toBeVisible();
  const code = await trackingCode(page);

  await open(page, "/track?lang=en", true);
  await page.locator("#code").fill("0000");
  await page.getByRole("button", { name: "Show status" }).click();
  await expect(page.locator("#err-code")).toContainText("12 letters and digits");
  await page.locator("#code").fill(code.toLowerCase());
  await page.getByRole("button", { name: "Show status" }).click();
  await expect(page.getByTestId("summary")).toContainText("5151");

  expect(fetched.filter((path) => /\.(js|wasm)$/.test(path))).toEqual([]);

  // The back office still loads its script.
  const wasm = page.waitForRequest((r) => r.url().endsWith(".wasm"));
  await open(page, "/admin/login?lang=en", true);
  await wasm;
});

test("Greek and Latvian pages write amounts their way", async ({ page }) => {
  await page.goto("/openpay?price=120000&lang=el");
  await expect(page.locator("html")).toHaveAttribute("lang", "el");
  await expect(page.getByRole("button", { name: "Πληρωμή και ολοκλήρωση" })).toBeVisible();
  await expect(page.getByTestId("amount")).toHaveText("120.000 τομάν");
  await page.goto("/openpay?price=120000&lang=lv");
  await expect(page.locator("html")).toHaveAttribute("lang", "lv");
  await expect(page.getByRole("button", { name: "Maksāt un pabeigt" })).toBeVisible();
  await expect(page.getByTestId("amount")).toHaveText(/^120\s000 tomani$/);
  await page.goto("/admin/login?lang=el");
  await expect(page.getByRole("heading", { name: "Σύνδεση στο κατάστημά σας" })).toBeVisible();
});

test("the hand-off leaves no page in history: back at the gateway returns to the form", async ({ page }) => {
  await open(page, link, true);
  await page.locator("#mobile").fill("09121234567");
  await page.getByRole("button", { name: "Pay and finish" }).click();
  await expect(page).toHaveURL(/\/sim\/zarinpal\/pg\/StartPay\//);
  await page.goBack();
  await expect(page).toHaveURL(/\/openpay\?/);
  await expect(page.getByRole("button", { name: "Pay and finish" })).toBeVisible();
});

test("submitting the same form twice creates one payment", async ({ page, request }) => {
  await page.goto("/openpay?lang=en");
  const key = await page.locator("input[name=key]").inputValue();
  const form = {
    store: "demo", key, receivername: "Double Click", mobile: "09121112233", phone: "", email: "",
    description: "", amount: "50000", pay_with: "slip", bank_account: "1", slip_number: "4242", slip_date: "2026-01-01",
  };
  const post = () =>
    request.post("/api/checkout", { form, headers: { Accept: "text/html" }, maxRedirects: 0 });
  const [first, second] = await Promise.all([post(), post()]);
  const third = await post();
  const location = first.headers()["location"];
  expect(first.status()).toBe(302);
  expect(location).toMatch(/^\/pay\/[0-9A-Z]{12}$/);
  expect(second.headers()["location"]).toBe(location);
  expect(third.headers()["location"]).toBe(location);
});

test("an unknown store gets a clear page and the tracker rejects junk", async ({ page }) => {
  await page.goto("/s/no-such-store/openpay?lang=en");
  await expect(page.getByRole("heading", { name: "Payment page not found" })).toBeVisible();
  await page.goto("/track?lang=en");
  await page.locator("#code").fill("not a code");
  await page.getByRole("button", { name: "Show status" }).click();
  await expect(page.locator("#err-code")).toContainText("12 letters and digits");
  await expect(page.locator("#code")).toHaveValue("not a code");
});

/** The parts of an element's text in the order they appear on screen, left to right. */
async function renderedOrder(page: Page, selector: string, parts: string[]): Promise<string[]> {
  return page.locator(selector).evaluate((element, parts) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const lefts: [string, number][] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? "";
      for (const part of parts) {
        const at = text.indexOf(part);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + part.length);
        lefts.push([part, range.getBoundingClientRect().left]);
      }
    }
    return lefts.sort((a, b) => a[1] - b[1]).map(([part]) => part);
  }, parts);
}

test("numbers keep their order inside Hebrew text", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/s/demo-il/openpay?price=120.50&lang=he");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  // The example mobile reads as it is dialled, left to right, inside the Hebrew hint.
  const parts = ["+972", "50", "123", "4567"];
  expect(await renderedOrder(page, "#hint-mobile", parts)).toEqual(parts);
  // So does a number typed in: an input laid out right to left shows "4567 123 50 972+".
  for (const field of ["#mobile", "#phone", "#email"]) {
    await page.locator(field).fill("+972 50 123 4567");
    expect(await page.locator(field).evaluate((e) => getComputedStyle(e).direction)).toBe("ltr");
  }
  // Shekels as Hebrew writes them: the sign after the amount.
  await expect(page.getByTestId("amount")).toHaveText("120.50 ₪");
});
