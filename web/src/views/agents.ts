import { openActivityStream, type Activity, type Schemas } from "@platform/client";
import { api, describe } from "../api";
import { announce, badge, field, formValues, h, time } from "../dom";

type Agent = Schemas["AgentResponse"];

const roles: Schemas["AgentRole"][] = ["pm", "engineering", "operations", "custom"];
const statusRefreshMs = 5000;
const feedLength = 100;

/**
 * The tenant's agents with their status, kept current (polled, and re-read whenever an agent reports activity), beside
 * the live activity feed. Returns a cleanup that closes the stream and stops the polling.
 */
export function agentsView(container: HTMLElement): () => void {
  const rows = h("tbody");
  const names = new Map<string, string>();
  const error = h("p", { class: "error", role: "alert" });
  const feed = h("ol", { class: "feed", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Live activity" });
  const feedState = h("p", { class: "muted", id: "feed-state" }, "Connecting…");

  const load = async () => {
    const { data, error: problem, response } = await api.GET("/api/v1/agents", { params: { query: { limit: 200 } } });
    if (!data) {
      error.textContent = describe(problem, response);
      return;
    }

    error.textContent = "";
    rows.replaceChildren(...data.items.map(agent => {
      names.set(agent.id, agent.name);
      return row(agent);
    }));
  };

  // A burst of activity re-reads the list once, not once per event.
  let reloadQueued = false;
  const reloadSoon = () => {
    if (!reloadQueued) {
      reloadQueued = true;
      setTimeout(() => { reloadQueued = false; void load(); }, 500);
    }
  };

  const create = h("form", { "aria-label": "Create an agent" },
    field("Name", h("input", { name: "name", required: true, maxlength: 100 })),
    field("Role", h("select", { name: "role" }, ...roles.map(r => h("option", { value: r }, r)))),
    h("button", { type: "submit" }, "Create agent"));
  create.addEventListener("submit", async event => {
    event.preventDefault();
    const values = formValues(create);
    const { data, error: problem, response } = await api.POST("/api/v1/agents", {
      body: { name: values.name ?? "", role: values.role as Schemas["AgentRole"] },
    });
    if (!data) {
      error.textContent = describe(problem, response);
      return;
    }

    create.reset();
    announce(`Agent ${data.name} created.`);
    await load();
  });

  const stream = openActivityStream(api, {
    onEvent: (activity: Activity) => {
      const agent = names.get(activity.agentId) ?? activity.agentId;
      feed.prepend(h("li", {}, h("strong", {}, agent), " ", badge(activity.type), " ", activity.summary, " ", time(activity.createdAt)));
      while (feed.children.length > feedLength) {
        feed.lastElementChild?.remove();
      }

      reloadSoon();
    },
    onOpen: () => { feedState.textContent = "Live."; },
    onError: () => { feedState.textContent = "Reconnecting…"; },
  });

  container.replaceChildren(
    h("h1", {}, "Agents"), error, create,
    h("div", { class: "columns" },
      h("section", { "aria-labelledby": "agents-title" }, h("h2", { id: "agents-title" }, "All agents"),
        h("table", {}, h("thead", {}, h("tr", {}, ...["Name", "Role", "Status", "Last active", "Channels"].map(c => h("th", { scope: "col" }, c)))), rows)),
      h("section", { "aria-labelledby": "feed-title" }, h("h2", { id: "feed-title" }, "Live activity"), feedState, feed)));

  void load();
  const timer = setInterval(() => void load(), statusRefreshMs);
  return () => {
    clearInterval(timer);
    stream.close();
  };
}

function row(agent: Agent): HTMLTableRowElement {
  return h("tr", { "data-agent-id": agent.id },
    h("th", { scope: "row" }, h("a", { href: `#/agents/${agent.id}` }, agent.name)),
    h("td", {}, agent.role),
    h("td", { class: "agent-status" }, badge(agent.status)),
    h("td", {}, time(agent.lastActive)),
    h("td", {}, String(agent.channels.length)));
}
