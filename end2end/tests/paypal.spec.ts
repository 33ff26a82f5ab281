import { expect, type Page } from "@playwright/test";
import { open, signUp, test, unique } from "./fixtures";

/** From the demo EU store's OpenPay page to PayPal's (simulated) checkout page. */
async function toPayPal(page: Page, js: boolean, order: string, price: string) {
  await open(page, `/s/demo-eu/openpay?receivername=Anna%20Berzina&description=${order}&price=${price}&lang=en`, js);
  await expect(page.getByTestId("amount")).toContainText(price);
  await page.locator("#mobile").fill("+371 2000 0000");
  await page.getByLabel("PayPal").check();
  await page.getByRole("button", { name: "Pay and finish" }).click();
  // Without JavaScript the form to PayPal waits for its button.
  if (!js) await page.getByRole("button", { name: "Continue to the payment gateway" }).click();
  await expect(page).toHaveURL(/\/sim\/paypal\/checkout\/[0-9A-Z]{17}$/);
  await expect(page.getByTestId("sim-amount")).toHaveText(price);
}

for (const javaScriptEnabled of [true, false]) {
  test(`a customer pays through PayPal from the OpenPay page (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    await toPayPal(page, javaScriptEnabled, "Order%2023", "45.00");
    await page.getByLabel("The merchant's IPN encoding").selectOption("windows-1255");
    await page.getByRole("button", { name: "Pay now" }).click();

    // The IPN settles the payment, maybe a moment after the customer is back: the page
    // looks again by itself until it does.
    await expect(page).toHaveURL(/\/pay\/[0-9A-Z]{12}$/);
    await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId("summary")).toContainText("€45.00");
    await context.close();
  });
}

test("an eCheck keeps the payment waiting until PayPal clears it", async ({ page, context }) => {
  await toPayPal(page, true, "Order%2024", "12.00");
  const checkout = page.url();
  await page.getByRole("button", { name: "Pay by eCheck" }).click();
  await expect(page).toHaveURL(/\/pay\/[0-9A-Z]{12}$/);
  await expect(page.getByRole("heading", { name: "Waiting for the payment" })).toBeVisible();
  await expect(page.getByText("This page checks again every few seconds.")).toBeVisible();

  const paypal = await context.newPage();
  await paypal.goto(checkout);
  await paypal.getByRole("button", { name: "Clear the eCheck" }).click();
  await expect(paypal.getByText("Paid: transaction")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible({ timeout: 15_000 });
});

test("a merchant adds PayPal and copies the IPN address", async ({ page }) => {
  const { slug, email } = unique("paypal");
  await signUp(page, true, slug, email, "EUR");
  await page.getByRole("link", { name: "Payment methods" }).click();
  await page.getByRole("link", { name: "Add PayPal" }).click();
  await expect(page.getByRole("heading", { name: "Add PayPal" })).toBeVisible();
  const address = page.getByLabel(/^IPN address/);
  await expect(address).toHaveValue(/\/notify\/paypal$/);

  await page.getByLabel(/^Merchant account ID/).fill("ABC123");
  await page.getByLabel("PayPal account e-mail").fill("paypal@demo.kassa.test");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByLabel(/^Merchant account ID/)).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel(/^Merchant account ID/).fill("kassademopp01");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/admin\/methods$/);
  await expect(page.getByText("KASSADEMOPP01")).toBeVisible();
  await expect(page.getByLabel(/^IPN address/)).toHaveValue(/\/notify\/paypal$/);
});
