import { expect, type Page } from "@playwright/test";
import { open, openMail, pdfText, signUp, test, unique } from "./fixtures";

// The simulator's seller registered through another service (never Kassa's).
const FOREIGN_SELLER = "MPL20002-OTHERPLA-TFORMSEL-LER00002";

/** A new store of its own in `currency`, its owner logged in. */
async function newStore(page: Page, currency: string): Promise<void> {
  const { slug, email } = unique("payme");
  await signUp(page, true, slug, email, currency);
}

/** Opens a PayMe account on the simulator's sign-up page; returns its seller key. */
async function openPayMeAccount(page: Page, email: string): Promise<string> {
  await page.goto("/sim/payme/signup");
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Open account" }).click();
  return (await page.getByTestId("seller-key").innerText()).trim();
}

async function tryPayMe(page: Page, key: string, email: string) {
  await page.goto("/admin/methods?add=payme");
  await page.getByLabel(/^Seller key/).fill(key);
  await page.getByLabel("PayMe account e-mail").fill(email);
  await page.getByRole("button", { name: "Save" }).click();
}

for (const javaScriptEnabled of [true, false]) {
  test(`a customer pays by card through PayMe from the OpenPay page (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    await open(page, "/s/demo-il/openpay?receivername=Noa%20Levi&description=Order%2017&price=120.50&lang=en", javaScriptEnabled);
    await expect(page.getByTestId("amount")).toContainText("120.50");
    await page.locator("#mobile").fill("+972 50 123 4567");
    await page.getByRole("button", { name: "Pay and finish" }).click();

    await expect(page).toHaveURL(/\/sim\/payme\/sale\/SALE[0-9A-Z]{4}-/);
    await expect(page.getByTestId("sim-amount")).toHaveText("120.50");
    await page.getByLabel("Card number").fill("4557 4304 0205 3431");
    await page.getByRole("button", { name: /^Pay/ }).click();

    await expect(page).toHaveURL(/\/pay\/[0-9A-Z]{12}$/);
    await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible();
    await expect(page.getByTestId("summary")).toContainText("455743******3431");
    await context.close();
  });
}

test("a Hebrew payer gets the receipt e-mailed in Hebrew, its PDF with their name and amount", async ({ page }) => {
  const { email } = unique("noa");
  await open(page, "/s/demo-il/openpay?receivername=%D7%A0%D7%95%D7%A2%D7%94%20%D7%9C%D7%95%D7%99&description=Order%2019&price=120.50&lang=he", true);
  await page.locator("#mobile").fill("+972 50 123 4567");
  await page.locator("#email").fill(email);
  await page.getByRole("button", { name: "תשלום וסיום" }).click();
  await expect(page).toHaveURL(/\/sim\/payme\/sale\/SALE[0-9A-Z]{4}-/);
  await page.getByLabel("Card number").fill("4557 4304 0205 3431");
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByRole("heading", { name: "התשלום בוצע בהצלחה" })).toBeVisible();

  await openMail(page, email);
  await expect(page.getByTestId("sim-mail-subject")).toHaveText(/^הקבלה שלך מס׳ \d+ מאת /);
  await expect(page.getByTestId("sim-mail-text")).toContainText("נועה לוי");
  const attached = await page.request.get(
    (await page.getByTestId("sim-mail-attachment").getAttribute("href")) ?? "",
  );
  // pdftotext gives a right-to-left line in display order: the words are looked for one by one.
  const text = pdfText(await attached.body());
  for (const word of ["נועה", "לוי", "120.50", "₪"]) expect(text).toContain(word);
});

test("a declined card fails the PayMe payment and offers a retry", async ({ page }) => {
  await open(page, "/s/demo-il/openpay?receivername=Noa%20Levi&description=Order%2018&price=80&lang=en", true);
  await page.locator("#mobile").fill("+972 50 123 4567");
  await page.getByRole("button", { name: "Pay and finish" }).click();
  await expect(page).toHaveURL(/\/sim\/payme\/sale\//);
  await page.getByLabel("Card number").fill("4000000000000002");
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page).toHaveURL(/\/pay\/[0-9A-Z]{12}$/);
  await expect(page.getByRole("heading", { name: "Payment failed" })).toBeVisible();
  await expect(page.getByTestId("summary")).toContainText("Failed");
  await expect(page.getByRole("link", { name: "Try again" })).toBeVisible();
});

test("each PayMe connection failure is explained in the back office", async ({ page, browser }) => {
  test.setTimeout(90_000);
  await newStore(page, "ILS");
  await page.getByRole("link", { name: "Payment methods" }).click();
  await page.getByRole("link", { name: "Add PayMe" }).click();
  await expect(page.getByRole("heading", { name: "Add PayMe" })).toBeVisible();

  // Checked before PayMe is asked: the prefix, the length, the shape.
  const shapes: [string, RegExp][] = [
    ["XPL12345-ABCDEFGH-ABCDEFGH-ABCDEFGH", /starts with MPL/],
    ["MPL12345-ABCDEFGH-ABCDEFGH", /The key has 26 characters; a PayMe seller key has 35/],
    ["MPL12345_ABCDEFGH_ABCDEFGH_ABCDEFGH", /four groups of letters and digits/],
  ];
  for (const [key, message] of shapes) {
    await tryPayMe(page, key, "noa@example.com");
    await expect(page.getByText(message)).toBeVisible();
    await expect(page.getByLabel(/^Seller key/)).toHaveAttribute("aria-invalid", "true");
  }

  // Registered through another service: the message links to Kassa's registration page.
  await tryPayMe(page, FOREIGN_SELLER, "other@payme.test");
  await expect(page.getByText(/does not know this key as an account registered through Kassa/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Open a PayMe account through Kassa" })).toHaveAttribute("href", /\/sim\/payme\/signup$/);

  // A real account, with the wrong e-mail.
  const accountEmail = unique("seller").email;
  const helper = await browser.newPage();
  const key = await openPayMeAccount(helper, accountEmail);
  await tryPayMe(page, key, "someone.else@example.com");
  await expect(page.getByText(/not the e-mail address of this PayMe account/)).toBeVisible();

  // With the right one it connects.
  await tryPayMe(page, key, accountEmail);
  await expect(page.getByText("Payment method saved.")).toBeVisible();

  // A second store cannot take the same account…
  const other = await browser.newContext();
  const second = await other.newPage();
  await newStore(second, "ILS");
  await tryPayMe(second, key, accountEmail);
  await expect(second.getByText(/connected to another store/)).toBeVisible();
  // …until the first store deactivates it (PayMe is told); then it just works.
  await page.goto("/admin/methods");
  await page.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByText("Inactive")).toBeVisible();
  await tryPayMe(second, key, accountEmail);
  await expect(second.getByText("Payment method saved.")).toBeVisible();

  // A store in rial is told at once that PayMe does not take its currency.
  const rial = await browser.newContext();
  const third = await rial.newPage();
  await newStore(third, "IRR");
  await third.goto("/admin/methods?add=payme");
  await expect(third.getByText("PayMe takes payments in ILS, USD, EUR only; this store is in IRR.", { exact: false })).toBeVisible();
  await Promise.all([helper.close(), other.close(), rial.close()]);
});
