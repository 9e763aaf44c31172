// Every page at the narrowest supported window (1024 px) in both themes: nothing spills
// sideways, and every control a keyboard or a screen reader reaches has a name.
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

const pages = ["/", "/agents", "/personas", "/pipelines", "/pipelines/new", "/schedules", "/models", "/events", "/admin/users", "/admin/api-keys", "/admin/audit", "/admin/mcp", "/memory", "/circles"];

/** Controls without an accessible name: a label, aria-label(ledby), title, or text. */
async function unnamed(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const missing: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("input:not([type=hidden]), select, textarea, button, a[href], [role=button]")) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.getAttribute("title") || el.textContent?.trim();
      if (!labelled) missing.push(el.outerHTML.slice(0, 120));
    }
    return missing;
  });
}

for (const theme of ["light", "dark"] as const) {
  test(`every page fits 1024 px and names its controls (${theme})`, async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.emulateMedia({ colorScheme: theme });
    await signIn(page);
    for (const path of pages) {
      await page.goto(path);
      await expect(page.locator("main h1").first()).toBeVisible();
      await expect(page.locator("html")).toHaveClass(theme === "dark" ? /dark/ : /^(?!.*dark).*$/);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} spills ${overflow}px sideways at 1024 px`).toBeLessThanOrEqual(0);
      expect(await unnamed(page), `${path}: controls without a name`).toEqual([]);
    }
  });
}
