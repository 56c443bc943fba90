import type { Schemas } from "@platform/client";
import { api, describe } from "../api";
import { announce, badge, h, time } from "../dom";

type Alert = Schemas["AlertResponse"];

/** Open and acknowledged alerts, newest first, with acknowledge and resolve. */
export async function alertsView(container: HTMLElement): Promise<void> {
  const error = h("p", { class: "error", role: "alert" });
  const rows = h("tbody");

  const load = async () => {
    const { data, error: problem, response } = await api.GET("/api/v1/alerts", { params: { query: { limit: 100 } } });
    if (!data) {
      error.textContent = describe(problem, response);
      return;
    }

    const unresolved = data.items.filter(a => a.state !== "resolved");
    rows.replaceChildren(...(unresolved.length === 0
      ? [h("tr", {}, h("td", { colspan: 5 }, "No open alerts."))]
      : unresolved.map(alert => row(alert))));
  };

  const act = async (alert: Alert, action: "acknowledge" | "resolve") => {
    const path = action === "acknowledge" ? "/api/v1/alerts/{id}/acknowledge" : "/api/v1/alerts/{id}/resolve";
    const { error: problem, response } = await api.POST(path, { params: { path: { id: alert.id } } });
    if (!response.ok) {
      error.textContent = describe(problem, response);
      return;
    }

    announce(`Alert "${alert.title}" ${action === "acknowledge" ? "acknowledged" : "resolved"}.`);
    await load();
  };

  const row = (alert: Alert) => h("tr", { "data-alert-id": alert.id },
    h("th", { scope: "row" }, alert.title, h("div", { class: "muted" }, alert.message)),
    h("td", {}, badge(alert.severity)),
    h("td", { class: "alert-state" }, alert.state),
    h("td", {}, time(alert.createdAt)),
    h("td", {},
      alert.state === "open"
        ? h("button", { type: "button", class: "secondary", onclick: () => void act(alert, "acknowledge"), "aria-label": `Acknowledge ${alert.title}` }, "Acknowledge")
        : null,
      " ",
      h("button", { type: "button", class: "secondary", onclick: () => void act(alert, "resolve"), "aria-label": `Resolve ${alert.title}` }, "Resolve")));

  container.replaceChildren(h("h1", {}, "Alerts"), error,
    h("table", {}, h("thead", {}, h("tr", {}, ...["Alert", "Severity", "State", "Raised", "Actions"].map(c => h("th", { scope: "col" }, c)))), rows));
  await load();
}
