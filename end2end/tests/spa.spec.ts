import { expect } from "@playwright/test";
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
