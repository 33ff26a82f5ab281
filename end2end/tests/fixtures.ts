import { expect, test as base, type Page } from "@playwright/test";

// Every page must run without a script error: a broken wasm would otherwise go unnoticed, as
// the forms still work without JavaScript.
export const test = base.extend({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await use(page);
    expect(errors).toEqual([]);
  },
});

/** Opens `url` and, with JavaScript on, waits until the page is hydrated. */
export async function open(page: Page, url: string, javaScriptEnabled: boolean) {
  await page.goto(url);
  if (javaScriptEnabled) await expect(page.locator("html")).toHaveAttribute("data-hydrated", "");
}
