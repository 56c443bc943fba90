import type { Schemas } from "@platform/client";
import { api, describe } from "../api";
import { announce, field, h, time } from "../dom";

/** What POST /api-keys may grant (the API refuses anything else). */
const scopes = ["agents:read", "agents:write", "activities:write", "metrics:write", "skills:read"];

/** The tenant's keys; a new key's secret is shown once, right after it is created, and never again. */
export async function apiKeysView(container: HTMLElement): Promise<void> {
  const error = h("p", { class: "error", role: "alert" });
  const secret = h("div", { "aria-live": "polite" });
  const rows = h("tbody");

  const load = async () => {
    const { data, error: problem, response } = await api.GET("/api/v1/api-keys", { params: { query: { limit: 200 } } });
    if (!data) {
      error.textContent = describe(problem, response);
      return;
    }

    rows.replaceChildren(...data.items.filter(k => k.revokedAt === null).map(row));
  };

  const revoke = async (key: Schemas["ApiKeyResponse"]) => {
    if (!confirm(`Revoke the key "${key.name}"? It stops working at once.`)) {
      return;
    }

    const { error: problem, response } = await api.DELETE("/api/v1/api-keys/{id}", { params: { path: { id: key.id } } });
    if (!response.ok) {
      error.textContent = describe(problem, response);
      return;
    }

    announce(`Key ${key.name} revoked.`);
    await load();
  };

  const row = (key: Schemas["ApiKeyResponse"]) => h("tr", {},
    h("th", { scope: "row" }, key.name), h("td", {}, h("code", {}, `${key.prefix}…`)), h("td", {}, key.scopes.join(", ")),
    h("td", {}, time(key.createdAt)), h("td", {}, time(key.lastUsedAt)),
    h("td", {}, h("button", { type: "button", class: "secondary", onclick: () => void revoke(key), "aria-label": `Revoke ${key.name}` }, "Revoke")));

  const form = h("form", { "aria-label": "Create an API key" },
    field("Name", h("input", { name: "name", required: true, maxlength: 100 })),
    h("fieldset", {}, h("legend", {}, "Scopes"),
      ...scopes.map(s => h("label", {}, h("input", { type: "checkbox", name: "scope", value: s, checked: s === "agents:read" }), s))),
    h("button", { type: "submit" }, "Create key"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    const chosen = data.getAll("scope").filter((s): s is string => typeof s === "string");
    const name = String(data.get("name") ?? "");
    const { data: created, error: problem, response } = await api.POST("/api/v1/api-keys", { body: { name, scopes: chosen } });
    if (!created) {
      error.textContent = describe(problem, response);
      return;
    }

    error.textContent = "";
    form.reset();
    secret.replaceChildren(
      h("h2", {}, `Key "${created.apiKey.name}" created`),
      h("p", {}, "Copy it now: it is shown only this once."),
      h("p", { class: "secret", id: "new-key-secret" }, created.key));
    await load();
  });

  container.replaceChildren(h("h1", {}, "API keys"), error, form, secret,
    h("table", {}, h("thead", {}, h("tr", {}, ...["Name", "Prefix", "Scopes", "Created", "Last used", ""].map(c => h("th", { scope: "col" }, c)))), rows));
  await load();
}
