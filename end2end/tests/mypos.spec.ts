import { expect, type Page } from "@playwright/test";
import { open, signUp, test, unique } from "./fixtures";

/** From the demo EU store's OpenPay page to myPOS's (simulated) card page. */
async function toMyPos(page: Page, js: boolean, order: string, price: string) {
  await open(page, `/s/demo-eu/openpay?receivername=Eleni%20Papadopoulou&description=${order}&price=${price}&lang=en`, js);
  await page.locator("#mobile").fill("+30 691 234 5678");
  await page.getByLabel("Card (myPOS)").check();
  await page.getByRole("button", { name: "Pay and finish" }).click();
  if (!js) await page.getByRole("button", { name: "Continue to the payment gateway" }).click();
  await expect(page).toHaveURL(/\/sim\/mypos\/pay\/[0-9a-f]{16}$/);
  await expect(page.getByTestId("sim-amount")).toHaveText(price);
}

for (const javaScriptEnabled of [true, false]) {
  test(`a customer pays by card through myPOS from the OpenPay page (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    await toMyPos(page, javaScriptEnabled, "Order%2031", "64.90");

    // A card the test environment does not know is declined; a test card pays.
    await page.getByLabel("Card number").fill("4111 1111 1111 1111");
    await page.getByRole("button", { name: /^Pay/ }).click();
    await expect(page.getByRole("alert")).toContainText("declined");
    await page.getByLabel("Card number").fill("4006 0900 0000 0007");
    await page.getByRole("button", { name: /^Pay/ }).click();
    // myPOS posts the customer back to the shop (a button without JavaScript).
    if (!javaScriptEnabled) await page.getByRole("button", { name: "Back to the shop" }).click();

    await expect(page).toHaveURL(/\/pay\/[0-9A-Z]{12}$/);
    await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible();
    await expect(page.getByTestId("summary")).toContainText("**** 0007");
    await context.close();
  });
}

test("a customer who cancels at myPOS can try again", async ({ page }) => {
  await toMyPos(page, true, "Order%2032", "15.00");
  await page.getByRole("button", { name: "Cancel payment" }).click();
  await expect(page).toHaveURL(/\/pay\/[0-9A-Z]{12}$/);
  await expect(page.getByRole("heading", { name: "Payment cancelled" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Try again" })).toBeVisible();
});

test("a merchant sets up myPOS from its configuration package", async ({ page, request }) => {
  const { slug, email } = unique("mypos");
  await signUp(page, true, slug, email, "EUR");
  await page.getByRole("link", { name: "Payment methods" }).click();
  await page.getByRole("link", { name: "Add myPOS" }).click();
  await expect(page.getByRole("heading", { name: "Add myPOS" })).toBeVisible();
  await expect(page.getByLabel("Save Card")).not.toBeChecked();

  await page.getByLabel(/^Configuration package/).fill("not a package");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByLabel(/^Configuration package/)).toHaveAttribute("aria-invalid", "true");

  const pkg = await (await request.get("/sim/mypos/package")).text();
  await page.getByLabel(/^Configuration package/).fill(pkg);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/admin\/methods$/);
  await expect(page.getByText("000000000000099")).toBeVisible();
});

test("a Greek customer pays through myPOS in Greek, with Greek amounts", async ({ page }) => {
  await open(page, "/s/demo-eu/openpay?receivername=%CE%95%CE%BB%CE%AD%CE%BD%CE%B7&description=%CE%A0%CE%B1%CF%81%CE%B1%CE%B3%CE%B3%CE%B5%CE%BB%CE%AF%CE%B1%2033&price=1234.50&lang=el", true);
  await expect(page.getByTestId("amount")).toContainText("1.234,50");
  await page.locator("#mobile").fill("+30 691 234 5678");
  await page.getByLabel("Card (myPOS)").check();
  await page.getByRole("button", { name: "Πληρωμή και ολοκλήρωση" }).click();
  await expect(page).toHaveURL(/\/sim\/mypos\/pay\//);
  await page.getByLabel("Card number").fill("5326100000000004");
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByRole("heading", { name: "Η πληρωμή ολοκληρώθηκε" })).toBeVisible();
  await expect(page.getByTestId("summary")).toContainText("1.234,50");
});
