import { expect, type Page } from "@playwright/test";
import { open, pdfText, signUp, test, unique } from "./fixtures";

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

test("a refund at PayPal cancels the receipt by a document of its own", async ({ page, context }) => {
  await toPayPal(page, true, "Order%2025", "30.00");
  const checkout = page.url();
  await page.getByRole("button", { name: "Pay now" }).click();
  const receiptLink = page.getByTestId("receipt-link");
  await expect(receiptLink).toBeVisible({ timeout: 15_000 });
  await receiptLink.click();
  await expect(page.getByRole("heading", { name: /^Receipt No\. \d+$/ })).toBeVisible();
  const receipt = page.url();

  // The merchant gives back part of it at PayPal.
  const paypal = await context.newPage();
  await paypal.goto(checkout);
  await paypal.getByLabel(/^Amount to refund/).fill("12.50");
  await paypal.getByRole("button", { name: "Refund" }).click();

  // The receipt stays as issued and names the document that cancels that part.
  const cancellation = page.getByTestId("related-document");
  await expect(async () => {
    await page.reload();
    await expect(cancellation).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByTestId("receipt")).toContainText("Cancelled by");
  await expect(page.getByTestId("receipt")).toContainText("€12.50");
  await cancellation.click();
  await expect(page.getByRole("heading", { name: /^Cancelling document No\. \d+$/ })).toBeVisible();
  await expect(page.getByTestId("receipt")).toContainText("Refund by the merchant");
  await expect(page.getByTestId("receipt")).toContainText("Returned to the payer");
  await expect(page.getByTestId("receipt")).toContainText("€12.50");
  const pdf = await page.request.get((await page.getByTestId("receipt-pdf").getAttribute("href")) ?? "");
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  const text = pdfText(await pdf.body());
  expect(text).toContain("Cancelling document No.");
  expect(text).toContain("€12.50");
  // And leads back to the receipt it cancels.
  await page.getByTestId("related-document").click();
  await expect(page).toHaveURL(receipt);
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
