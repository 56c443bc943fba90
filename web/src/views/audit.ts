import type { Schemas } from "@platform/client";
import { api, describe } from "../api";
import { badge, h, time } from "../dom";

/** The tenant's audit log, newest first, a page at a time. */
export async function auditView(container: HTMLElement): Promise<void> {
  const error = h("p", { class: "error", role: "alert" });
  const rows = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Older entries");
  let cursor: string | undefined;

  const load = async () => {
    const { data, error: problem, response } = await api.GET("/api/v1/audit-logs", { params: { query: { limit: 50, cursor } } });
    if (!data) {
      error.textContent = describe(problem, response);
      return;
    }

    rows.append(...data.items.map(row));
    cursor = data.nextCursor ?? undefined;
    more.hidden = cursor === undefined;
  };
  more.addEventListener("click", () => void load());

  container.replaceChildren(h("h1", {}, "Audit log"), error,
    h("table", {}, h("thead", {}, h("tr", {}, ...["When", "Action", "Severity", "Actor", "Target"].map(c => h("th", { scope: "col" }, c)))), rows),
    more);
  await load();
}

function row(entry: Schemas["AuditLogResponse"]): HTMLTableRowElement {
  return h("tr", {},
    h("td", {}, time(entry.createdAt)),
    h("th", { scope: "row" }, entry.action),
    h("td", {}, badge(entry.severity)),
    h("td", {}, entry.actorType, entry.actorId ? h("div", { class: "muted" }, entry.actorId) : null),
    h("td", {}, entry.targetType ?? "—", entry.targetId ? h("div", { class: "muted" }, entry.targetId) : null));
}
