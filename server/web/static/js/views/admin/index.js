// The system console under /admin_console/..., for system admins only. PAGES is its one registry: a page is
// a module of its own and one line here, `{path, title, component}`; the path's first part is the
// category it is listed under in the console's navigation, in the order the registry names them.

import { useEffect } from "preact/hooks";

import { html } from "../../html.js";
import { navigate } from "../../router.js";
import * as store from "../../store.js";
import { PageHeader, isSystemAdmin } from "./common.js";
import { LogsPage } from "./logs.js";
import { settingsPage } from "./settings.js";
import { StatsPage } from "./stats.js";
import { TeamsPage } from "./teams.js";
import { UsersPage } from "./users.js";

export const CATEGORIES = {
  reporting: "Reporting",
  user_management: "User management",
  environment: "Environment",
  site_config: "Site configuration",
  authentication: "Authentication",
};

export const PAGES = [
  { path: "reporting/system_analytics", title: "Site statistics", component: StatsPage },
  { path: "reporting/server_logs", title: "Server logs", component: LogsPage },
  { path: "user_management/users", title: "Users", component: UsersPage },
  { path: "user_management/teams", title: "Teams", component: TeamsPage },
  { path: "environment/web_server", title: "Web server", component: settingsPage(["ServiceSettings"]) },
  { path: "environment/database", title: "Database", component: settingsPage(["SqlSettings"]) },
  { path: "environment/file_storage", title: "File storage", component: settingsPage(["FileSettings"]) },
  { path: "environment/rate_limiting", title: "Rate limiting", component: settingsPage(["RateLimitSettings"]) },
  { path: "environment/caching", title: "Caching", component: settingsPage(["CacheSettings"]) },
  { path: "environment/logging", title: "Logging", component: settingsPage(["LogSettings"]) },
  { path: "site_config/users_and_teams", title: "Users and teams", component: settingsPage(["TeamSettings", "PrivacySettings"]) },
  { path: "site_config/all_settings", title: "All settings", component: settingsPage(null, { intro: "Every section of the configuration, the ones no other page shows too." }) },
  { path: "authentication/password", title: "Password", component: settingsPage(["PasswordSettings"]) },
  { path: "authentication/email", title: "Email", component: settingsPage(["EmailSettings"]) },
];

function NoAccess() {
  return html`<main class="account-page">
    <section class="account-card" aria-labelledby="no-access-title">
      <h1 id="no-access-title">You do not have access</h1>
      <p class="muted">The system console is for system admins. Ask one if you need a setting changed.</p>
      <p><a href="/">Back to Hubbub</a></p>
    </section>
  </main>`;
}

function Navigation({ current }) {
  const categories = [];
  for (const page of PAGES) {
    const name = page.path.split("/")[0];
    let category = categories.find((c) => c.name === name);
    if (!category) categories.push((category = { name, title: CATEGORIES[name] || name, pages: [] }));
    category.pages.push(page);
  }
  const me = store.me.value;
  return html`<nav class="admin-sidebar" aria-label="System console">
    <div class="admin-sidebar-header">
      <a class="admin-back" href="/"><span aria-hidden="true">‹ </span>Back to Hubbub</a>
      <p class="admin-brand">System Console</p>
      <p class="admin-whoami">${store.config.value.SiteName || "Hubbub"} · @${me.username}</p>
    </div>
    <div class="admin-nav">
      ${categories.map((category) => html`<div key=${category.name}>
        <h2 class="admin-nav-heading" id=${`admin-nav-${category.name}`}>${category.title}</h2>
        <ul aria-labelledby=${`admin-nav-${category.name}`}>
          ${category.pages.map((page) => html`<li key=${page.path}>
            <a href=${`/admin_console/${page.path}`} class=${`admin-nav-link${page === current ? " active" : ""}`}
              aria-current=${page === current ? "page" : undefined}>${page.title}</a>
          </li>`)}
        </ul>
      </div>`)}
    </div>
  </nav>`;
}

export function AdminConsole({ route }) {
  const me = store.me.value;
  const path = (route.section || []).join("/");
  const page = PAGES.find((p) => p.path === path) || null;

  useEffect(() => {
    const before = document.title;
    const site = store.config.value.SiteName || "Hubbub";
    document.title = `${page ? `${page.title} - ` : ""}System Console - ${site}`;
    return () => {
      document.title = before;
    };
  }, [page, store.config.value.SiteName]);

  if (!isSystemAdmin(me)) return html`<${NoAccess} />`;
  if (!path) {
    navigate(`/admin_console/${PAGES[0].path}`, { replace: true });
    return null;
  }
  const Page = page && page.component;
  return html`<div class="admin-layout">
    <${Navigation} current=${page} />
    <main class="admin-main" aria-labelledby="admin-page-title">
      ${Page
        ? html`<${Page} key=${page.path} title=${page.title} />`
        : html`<${PageHeader} title="Page not found" />
          <div class="admin-body"><p>The system console has no page at this address. <a href=${`/admin_console/${PAGES[0].path}`}>Go to ${PAGES[0].title}</a></p></div>`}
    </main>
  </div>`;
}
