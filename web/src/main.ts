import { api, currentUser, session, signedOut } from "./api";
import { agentView } from "./views/agent";
import { agentsView } from "./views/agents";
import { alertsView } from "./views/alerts";
import { apiKeysView } from "./views/apiKeys";
import { auditView } from "./views/audit";
import { signInView } from "./views/signIn";

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
let cleanup: (() => void) | undefined;
let signInNotice: string | undefined;

/** Hash routes, so the API serves one static page: #/agents, #/agents/{id}, #/alerts, #/api-keys, #/audit. */
async function route(): Promise<void> {
  cleanup?.();
  cleanup = undefined;
  if (!session.signedIn || !currentUser) {
    nav.hidden = true;
    main.replaceChildren(signInView(() => {
      signInNotice = undefined;
      nav.hidden = false;
      if (location.hash === "" || location.hash === "#/agents") {
        void route();
      } else {
        location.hash = "#/agents";
      }
    }, signInNotice));
    return;
  }

  nav.hidden = false;
  const path = location.hash.replace(/^#/, "") || "/agents";
  for (const link of nav.querySelectorAll("a")) {
    const current = path.startsWith(link.getAttribute("href")!.slice(1));
    if (current) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }

  const agent = /^\/agents\/([0-9a-f-]{36})$/.exec(path);
  if (agent?.[1]) {
    await agentView(main, agent[1]);
  } else if (path === "/alerts") {
    await alertsView(main);
  } else if (path === "/api-keys") {
    await apiKeysView(main);
  } else if (path === "/audit") {
    await auditView(main);
  } else {
    cleanup = agentsView(main);
  }

  // Focus moves to the new view so keyboard and screen-reader users land on it.
  main.focus();
}

document.getElementById("sign-out")?.addEventListener("click", async () => {
  const refreshToken = session.refreshToken;
  if (refreshToken) {
    await api.POST("/api/v1/auth/logout", { body: { refreshToken } }).catch(() => undefined);
  }

  signedOut();
  void route();
});
session.onEnded = () => {
  signedOut();
  signInNotice = "Your session ended; sign in again.";
  void route();
};
window.addEventListener("hashchange", () => void route());
void route();
