import { execFileSync } from "node:child_process";
import { unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test as base, type Page } from "@playwright/test";

// Every page must run without a script error: a broken wasm would otherwise go unnoticed, as
// the forms still work without JavaScript. Nor may the Content-Security-Policy refuse anything
// a page of Kassa's own loads (Chromium reports that on the console), nor the back office log
// an error or a hydration warning (a status the page meant, like a 404, is not one).
export const test = base.extend({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      const text = m.text();
      const backOffice = new URL(page.url()).pathname.startsWith("/admin");
      if (m.type() === "error" && /Content Security Policy/.test(text)) errors.push(text);
      else if (m.type() === "error" && backOffice && !/^Failed to load resource/.test(text)) errors.push(text);
      else if (/hydrat/i.test(text)) errors.push(text);
    });
    await use(page);
    expect(errors).toEqual([]);
  },
});

/** Opens `url` and, with JavaScript on, waits until the page is hydrated. */
export async function open(page: Page, url: string, javaScriptEnabled: boolean) {
  await page.goto(url);
  if (javaScriptEnabled) await expect(page.locator("html")).toHaveAttribute("data-hydrated", "");
}

export const password = "correct horse battery staple";

/** A store of its own for each test (the database is shared by the whole run). */
export function unique(prefix: string): { slug: string; email: string } {
  const id = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return { slug: `${prefix}-${id}`, email: `${prefix}-${id}@example.com` };
}

/** Signs up a new store in `currency`; its owner ends on the settings page, logged in. */
export async function signUp(page: Page, js: boolean, slug: string, email: string, currency = "ILS") {
  await open(page, "/admin/signup?lang=en", js);
  await page.getByLabel("Store name").fill("Dana's Ceramics");
  await page.getByLabel("Web address").fill(slug);
  await page.getByLabel("Currency").selectOption(currency);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create store" }).click();
  await expect(page).toHaveURL(/\/admin\/settings$/);
}

/** The text `pdftotext` (poppler; `make setup-test` installs it) reads from a PDF. */
export function pdfText(pdf: Buffer): string {
  const file = join(tmpdir(), `kassa-e2e-${Date.now()}-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  try {
    return execFileSync("pdftotext", [file, "-"]).toString();
  } finally {
    unlinkSync(file);
  }
}

/**
 * Opens the newest message to `to` in the sandbox's mailbox (`/sim/mail`, where `make run`
 * and the e2e server keep mail), waiting for it to arrive.
 */
export async function openMail(page: Page, to: string) {
  const message = page.getByTestId("sim-mail").filter({ hasText: `to ${to}` }).first();
  await expect(async () => {
    await page.goto("/sim/mail");
    await expect(message).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await message.getByRole("link").click();
  await expect(page.getByTestId("sim-mail-to")).toHaveText(to);
}
