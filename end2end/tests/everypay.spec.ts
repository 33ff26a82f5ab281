import { expect } from "@playwright/test";
import { open, signUp, test, unique } from "./fixtures";

// A Latvian customer, in Latvian: amounts with a decimal comma.
for (const javaScriptEnabled of [true, false]) {
  test(`a customer pays through EveryPay in Latvian from the OpenPay page (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    await open(page, "/s/demo-eu/openpay?receivername=Anna%20B%C4%93rzi%C5%86a&description=Pas%C5%ABt%C4%ABjums%2040&price=45.10&lang=lv", javaScriptEnabled);
    await expect(page.getByTestId("amount")).toContainText("45,10");
    await page.locator("#mobile").fill("+371 2000 0000");
    await page.getByLabel("Bank card (EveryPay)").check();
    await page.getByRole("button", { name: "Maksāt un pabeigt" }).click();

    await expect(page).toHaveURL(/\/sim\/everypay\/pay\/[0-9a-f]{64}$/);
    await expect(page.getByTestId("sim-amount")).toHaveText("45.10");
    await page.getByLabel("Card number").fill("4012 0010 3714 1112");
    await page.getByRole("button", { name: /^Pay/ }).click();

    // EveryPay's callback settles the payment; the page looks again until it has.
    await expect(page).toHaveURL(/\/pay\/[0-9A-Z]{12}$/);
    await expect(page.getByRole("heading", { name: "Maksājums veiksmīgs" })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId("summary")).toContainText("45,10");
    await expect(page.getByTestId("summary")).toContainText("**** 1112");
    await context.close();
  });
}

test("a customer who abandons the EveryPay page sees the failure and can retry", async ({ page }) => {
  await open(page, "/s/demo-eu/openpay?receivername=Anna&description=Order%2041&price=9.90&lang=en", true);
  await page.locator("#mobile").fill("+371 2000 0000");
  await page.getByLabel("Bank card (EveryPay)").check();
  await page.getByRole("button", { name: "Pay and finish" }).click();
  await expect(page).toHaveURL(/\/sim\/everypay\/pay\//);
  await page.getByRole("button", { name: "Cancel and return to the shop" }).click();
  await expect(page.getByRole("heading", { name: "Payment failed" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("link", { name: "Try again" })).toBeVisible();
});

test("a merchant sets up EveryPay with LinkPay and copies the callback URL", async ({ page }) => {
  const { slug, email } = unique("everypay");
  await signUp(page, true, slug, email, "EUR");
  await page.getByRole("link", { name: "Payment methods" }).click();
  await page.getByRole("link", { name: "Add EveryPay" }).click();
  await expect(page.getByLabel(/^Callback URL/)).toHaveValue(/\/notify\/everypay$/);

  await page.getByLabel(/^API username/).fill("kassa-demo-shop");
  await page.getByLabel(/^API secret/).fill("sandbox-api-secret-4f1c9e2a");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByLabel(/^Link Token/)).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel(/^Link Token/).fill("lp-kassa-demo-7b21");
  await page.getByLabel(/^API secret/).fill("sandbox-api-secret-4f1c9e2a");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/admin\/methods$/);
  await expect(page.getByText("lp-kassa-demo-7b21")).toBeVisible();

  // The store's own OpenPay page pays through the LinkPay link.
  await open(page, `/s/${slug}/openpay?receivername=Anna&description=Order%2042&price=12.00&lang=en`, true);
  await page.locator("#mobile").fill("+371 2000 0000");
  await page.getByRole("button", { name: "Pay and finish" }).click();
  await expect(page).toHaveURL(/\/sim\/everypay\/pay\//);
  await page.getByLabel("Card number").fill("5413330089600010");
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible({ timeout: 15_000 });
});
