import { expect } from "@playwright/test";
import { signUp, test, unique } from "./fixtures";

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
