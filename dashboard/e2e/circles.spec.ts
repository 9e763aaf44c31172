// Circles: create one from the page, add one of my agents and a person as members, an outsider
// cannot see it (a 404, as if it did not exist), and archive it. The agent and the users are
// seeded through the API (another client); every step the test claims is done in the page.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiAs, shot, signIn, unique, type Credentials } from "./support";

async function seedAgent(api: APIRequestContext, name: string): Promise<string> {
  const personas = await api.get("/api/personas?q=architect&limit=200");
  expect(personas.ok(), await personas.text()).toBeTruthy();
  const persona = ((await personas.json()) as { items: { id: string; name: string }[] }).items.find((p) => p.name === "architect");
  expect(persona, "the architect persona").toBeTruthy();
  const made = await api.post("/api/agents", { data: { name, persona_id: persona?.id, model: "smollm2-135m-instruct" } });
  expect(made.status(), await made.text()).toBe(201);
  return ((await made.json()) as { id: string }).id;
}

async function seedUser(api: APIRequestContext, label: string): Promise<{ credentials: Credentials; id: string; email: string; display_name: string }> {
  const credentials = { email: `${unique(label)}@example.org`, password: "a long enough password" };
  const display_name = `${label} ${Date.now().toString(36)}`;
  const made = await api.post("/api/users", { data: { ...credentials, display_name, role: "member" } });
  expect(made.status(), await made.text()).toBe(201);
  return { credentials, email: credentials.email, display_name, id: ((await made.json()) as { id: string }).id };
}

test("a circle is created, gains an agent and a person, stays hidden from outsiders, and is archived", async ({ page }) => {
  const admin = await apiAs();
  const agent = unique("e2e-circle-agent");
  await seedAgent(admin, agent);
  const person = await seedUser(admin, "circle-person");
  const outsider = await seedUser(admin, "outsider");

  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Circles" }).click();
  await expect(page.getByRole("heading", { name: "Circles", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "New circle" }).click();
  const name = unique("e2e-circle");
  const form = page.getByRole("form", { name: "New circle" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Purpose").fill("Reviews designs before they are built.");
  await form.getByRole("button", { name: "Create circle" }).click();

  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/circles/${name}$`));
  await expect(page.getByText(`Circle ${name} created.`)).toBeVisible();
  // The creator is its owner.
  await expect(page.getByRole("table", { name: "People" }).getByRole("row")).toHaveCount(2);
  await expect(page.getByRole("table", { name: "People" })).toContainText("owner");

  // One of my agents joins, as a specialist with competencies.
  const addAgent = page.getByRole("form", { name: "Add an agent" });
  await addAgent.getByLabel("Agent").selectOption({ label: agent });
  await addAgent.getByLabel("Role").selectOption("specialist");
  await addAgent.getByLabel("Competencies").fill("rust, sql");
  await addAgent.getByRole("button", { name: "Add agent" }).click();
  const agents = page.getByRole("table", { name: "Agents" });
  const agentRow = agents.getByRole("row").filter({ hasText: `@${agent}` });
  await expect(agentRow).toContainText("specialist");
  await expect(agentRow).toContainText("rust, sql");

  // Its role changes.
  await agentRow.getByRole("button", { name: `Change agent ${agent}` }).click();
  const change = page.getByRole("form", { name: `Change agent ${agent}` });
  await change.getByLabel("Role").selectOption("reviewer");
  await change.getByRole("button", { name: "Save" }).click();
  await expect(agents.getByRole("row").filter({ hasText: `@${agent}` })).toContainText("reviewer");

  // A person joins as a participant (an admin picks them from the users).
  const addPerson = page.getByRole("form", { name: "Add a person" });
  await addPerson.getByLabel("Person").selectOption({ label: `${person.display_name} (${person.email})` });
  await addPerson.getByLabel("Role").selectOption("participant");
  await addPerson.getByLabel("Handle").fill(`p-${Date.now().toString(36)}`);
  await addPerson.getByRole("button", { name: "Add person" }).click();
  const personRow = page.getByRole("table", { name: "People" }).getByRole("row").filter({ hasText: person.display_name });
  await expect(personRow).toContainText("participant");
  await shot(page, "circle");

  // The person sees it; an outsider is told it does not exist.
  const asPerson = await apiAs(person.credentials);
  expect((await asPerson.get(`/api/circles/${name}`)).status()).toBe(200);
  const asOutsider = await apiAs(outsider.credentials);
  expect((await asOutsider.get(`/api/circles/${name}`)).status()).toBe(404);
  const listed = (await (await asOutsider.get("/api/circles")).json()) as { items: { name: string }[] };
  expect(listed.items.map((c) => c.name)).not.toContain(name);

  // Archived: it leaves the active list and shows among the archived ones.
  await page.getByRole("button", { name: `Archive circle ${name}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Archive" }).click();
  await expect(page.getByText(`Circle ${name} archived.`)).toBeVisible();
  await expect(page.getByRole("tab", { name: "Archived" })).toHaveAttribute("aria-selected", "true");
  const archived = page.getByRole("list", { name: "Circles" }).getByRole("listitem").filter({ hasText: name });
  await expect(archived).toContainText("archived");
  await page.getByRole("tab", { name: "Active" }).click();
  await expect(page.getByRole("tab", { name: "Active" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);

  // An archived circle offers no changes.
  await page.goto(`/circles/${name}?archived=1`);
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(page.getByRole("form", { name: "Add an agent" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: `Archive circle ${name}` })).toHaveCount(0);

  for (const api of [admin, asPerson, asOutsider]) await api.dispose();
});

test("a circle's pages fit 1024 px in both themes and name every control", async ({ page }) => {
  const admin = await apiAs();
  const name = unique("e2e-circle-fit");
  expect((await admin.post("/api/circles", { data: { name, purpose: "Fits." } })).status()).toBe(201);
  const agentId = await seedAgent(admin, unique("e2e-fit-agent"));
  const joined = await admin.put(`/api/circles/${name}/agents/${agentId}`, { data: { role: "lead", competencies: ["rust"] } });
  expect(joined.ok(), await joined.text()).toBeTruthy();
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page);
  for (const theme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: theme });
    for (const path of [`/circles/${name}`, `/circles/${name}/tasks`]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
      await expect(page.getByRole("status")).toHaveCount(0);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} spills ${overflow}px sideways at 1024 px (${theme})`).toBeLessThanOrEqual(0);
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>("input:not([type=hidden]), select, textarea, button, a[href]")]
          .filter((el) => {
            const box = el.getBoundingClientRect();
            if (box.width === 0 && box.height === 0) return false;
            return !((el as HTMLInputElement).labels?.length || el.getAttribute("aria-label") || el.getAttribute("title") || el.textContent?.trim());
          })
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      expect(unnamed, `${path}: controls without a name`).toEqual([]);
    }
  }
  await admin.dispose();
});
