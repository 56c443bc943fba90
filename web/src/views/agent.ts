import { api, describe } from "../api";
import { badge, h, time } from "../dom";

/** One agent and its channels (secrets are masked by the API). */
export async function agentView(container: HTMLElement, agentId: string): Promise<void> {
  const [agent, channels] = await Promise.all([
    api.GET("/api/v1/agents/{id}", { params: { path: { id: agentId } } }),
    api.GET("/api/v1/agents/{agentId}/channels", { params: { path: { agentId } } }),
  ]);
  if (!agent.data) {
    container.replaceChildren(h("h1", {}, "Agent"), h("p", { class: "error", role: "alert" }, describe(agent.error, agent.response)));
    return;
  }

  const items = channels.data?.items ?? [];
  container.replaceChildren(
    h("p", {}, h("a", { href: "#/agents" }, "← All agents")),
    h("h1", {}, agent.data.name, " ", badge(agent.data.status)),
    h("p", {}, agent.data.description ?? "", " ", h("span", { class: "muted" }, `Role ${agent.data.role}, model ${agent.data.modelTier}`)),
    h("section", { "aria-labelledby": "channels-title" },
      h("h2", { id: "channels-title" }, "Channels"),
      channels.data ? null : h("p", { class: "error", role: "alert" }, describe(channels.error, channels.response)),
      items.length === 0
        ? h("p", {}, "No channels.")
        : h("table", {},
          h("thead", {}, h("tr", {}, ...["Name", "Type", "Enabled", "Updated"].map(c => h("th", { scope: "col" }, c)))),
          h("tbody", {}, ...items.map(c => h("tr", {},
            h("th", { scope: "row" }, c.name), h("td", {}, c.type), h("td", {}, c.enabled ? "yes" : "no"), h("td", {}, time(c.updatedAt))))))));
}
