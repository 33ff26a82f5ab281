import { expect } from "@playwright/test";
import { open, test } from "./fixtures";

// Pages under their Content-Security-Policy: the checkout and the back office still work with
// JavaScript on (the page script runs everywhere; in the back office the wasm loads and the
// router runs too) and off, and no other site may frame them.
for (const javaScriptEnabled of [true, false]) {
  test.describe(`security headers with JavaScript ${javaScriptEnabled ? "on" : "off"}`, () => {
    test.use({ javaScriptEnabled });

    test("the checkout and the back office carry the policy and work under it", async ({ page }) => {
      for (const path of ["/openpay?lang=en&price=120000", "/admin/login?lang=en"]) {
        const response = await page.goto(path);
        const headers = await response!.allHeaders();
        expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
        expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[\w-]+'/);
        expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
        if (javaScriptEnabled) {
          await expect(page.locator("html")).toHaveAttribute("data-hydrated", "");
          // The page script ran: it marks the document.
          await expect(page.locator("html")).toHaveAttribute("data-js", "");
        }
      }
      // A step of the checkout (a plain post, with or without JavaScript) under the policy.
      await open(page, "/openpay?lang=en&price=120000", javaScriptEnabled);
      await page.getByRole("button", { name: "Pay and finish" }).click();
      await expect(page.locator("#mobile")).toHaveAttribute("aria-invalid", "true");
    });
  });
}
