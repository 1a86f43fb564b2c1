// Mattermost's web URLs: /login, /select_team, /create_team, /{team}/channels/{name},
// /{team}/messages/@{username}, /{team}/pl/{post_id}, /{team}/integrations/..., /admin_console/...

import { signal } from "@preact/signals";

export const location$ = signal(window.location.pathname + window.location.search);

export function navigate(path, { replace = false } = {}) {
  if (path === location$.value) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  location$.value = path;
}

window.addEventListener("popstate", () => {
  location$.value = window.location.pathname + window.location.search;
});

const SIMPLE = new Set(["login", "signup_user_complete", "select_team", "create_team"]);

export function parseRoute(path) {
  const [pathname, search = ""] = path.split("?");
  const query = new URLSearchParams(search);
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: "root", query };
  if (SIMPLE.has(parts[0])) return { page: parts[0], query };
  if (parts[0] === "admin_console") return { page: "admin", section: parts.slice(1), query };
  const team = parts[0];
  if (parts.length === 1) return { page: "team", team, query };
  if (parts[1] === "channels" && parts[2]) return { page: "channel", team, channel: parts[2], query };
  if (parts[1] === "messages" && parts[2]) return { page: "messages", team, target: parts[2], query };
  if (parts[1] === "pl" && parts[2]) return { page: "permalink", team, postId: parts[2], query };
  if (parts[1] === "integrations") return { page: "integrations", team, section: parts.slice(2), query };
  return { page: "not_found", query };
}

// Links inside the app move through history instead of reloading the page.
export function onLinkClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const link = event.target.closest && event.target.closest("a[href]");
  if (!link || link.target === "_blank" || link.origin !== window.location.origin) return;
  if (link.pathname.startsWith("/api/") || link.pathname.startsWith("/static/")) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
}
