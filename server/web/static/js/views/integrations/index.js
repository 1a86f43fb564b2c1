// The integrations console under /{team}/integrations/..., Mattermost's "backstage": a left menu of the
// pages this user may use, the landing page with a card for each, and the page the URL names.
//
// `pages` is the registry. A page is one module and one line here: its URL segment, its title, a line and
// an icon for its landing card, the sub-pages it has (`sections`), its component (given {team, section,
// query, me}, `section` being the URL's segments after the page's own: [] for the list, ["add"], ["edit"]
// with ?id=, ["confirm"]) and visible(config, me): the server's client config (store.config) and what the
// user is, `me` = {user, roles (a Set of the system and team role names), systemAdmin, teamAdmin}.

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

import * as api from "../../api.js";
import { html } from "../../html.js";
import * as store from "../../store.js";
import { Bots } from "./bots.js";
import { Commands } from "./commands.js";
import { consolePath } from "./common.js";
import { IncomingWebhooks } from "./incoming_webhooks.js";
import { OutgoingWebhooks } from "./outgoing_webhooks.js";
import { PersonalAccessTokens } from "./personal_access_tokens.js";

const on = (config, flag) => config[flag] === "true";
const CRUD = ["add", "edit", "confirm"];
const managesTeam = (me) => me.systemAdmin || me.teamAdmin;

export const pages = [
  { path: "incoming_webhooks", title: "Incoming Webhooks", icon: "⇥", component: IncomingWebhooks, sections: CRUD,
    description: "Let other tools post to a channel: Slack-style payloads, or GitLab, GitHub and Jenkins events.",
    visible: (config, me) => on(config, "EnableIncomingWebhooks") && managesTeam(me) },
  { path: "outgoing_webhooks", title: "Outgoing Webhooks", icon: "↦", component: OutgoingWebhooks, sections: CRUD,
    description: "Send posts with trigger words to your services, with a delivery log, redelivery and tests.",
    visible: (config, me) => on(config, "EnableOutgoingWebhooks") && managesTeam(me) },
  { path: "commands", title: "Slash Commands", icon: "/", component: Commands, sections: CRUD,
    description: "Run your services from the message box with a /command.",
    visible: (config, me) => on(config, "EnableCommands") && managesTeam(me) },
  { path: "bots", title: "Bot Accounts", icon: "🤖", component: Bots,
    description: "Accounts for integrations, with their own names and tokens.",
    visible: (config, me) => me.systemAdmin },
  { path: "personal_access_tokens", title: "Personal Access Tokens", icon: "⚿", component: PersonalAccessTokens,
    description: "Tokens for scripts and tools that act as you through the API.",
    visible: (config, me) => on(config, "EnableUserAccessTokens") && (me.systemAdmin || me.roles.has("system_user_access_token")) },
];

function access(user, member) {
  const roles = new Set([...(user.roles || "").split(" "), ...((member && member.roles) || "").split(" ")].filter(Boolean));
  return {
    user,
    roles,
    systemAdmin: roles.has("system_admin"),
    teamAdmin: roles.has("team_admin") || Boolean(member && member.scheme_admin),
  };
}

function Landing({ team, visible }) {
  return html`<section class="backstage-page" aria-labelledby="page-title">
    <header class="backstage-header"><h1 id="page-title">Integrations</h1></header>
    ${visible.length === 0
      ? html`<p class="backstage-empty">No integrations are available to you in ${team.display_name}. Team admins manage
          webhooks and slash commands; a system admin can give you the right to make personal access tokens.</p>`
      : html`<ul class="backstage-cards">
        ${visible.map((page) => html`<li key=${page.path}>
          <a class="backstage-card" href=${consolePath(team, page.path)}>
            <span class="card-icon" aria-hidden="true">${page.icon}</span>
            <span class="card-title">${page.title}</span>
            <span class="card-description">${page.description}</span>
          </a>
        </li>`)}
      </ul>`}
  </section>`;
}

function Message({ title, children }) {
  return html`<section class="backstage-page" aria-labelledby="page-title">
    <header class="backstage-header"><h1 id="page-title">${title}</h1></header>
    <p class="backstage-empty">${children}</p>
  </section>`;
}

export function Integrations({ route }) {
  const team = store.teams.value.find((t) => t.name === route.team);
  const member = useSignal(undefined); // undefined while loading; null when the user is not a member
  const main = useRef(null);
  const where = `${route.section.join("/")}?${route.query}`;

  useEffect(() => {
    if (main.current) main.current.scrollTop = 0;
  }, [where]);

  useEffect(() => {
    // No channel is open here: posts arriving meanwhile stay unread.
    store.currentChannelId.value = "";
  }, []);

  useEffect(() => {
    if (!team) return;
    member.value = undefined;
    api.get(`teams/${team.id}/members/me`).then((found) => (member.value = found), () => (member.value = null));
  }, [team && team.id]);

  if (!team) {
    if (!store.teamsLoaded.value) return html`<p class="boot">Loading Hubbub…</p>`;
    return html`<main class="account-page"><p>There is no team “${route.team}” for you. <a href="/select_team">Pick a team</a>.</p></main>`;
  }
  if (member.value === undefined) return html`<p class="boot">Loading Hubbub…</p>`;

  const me = access(store.me.value, member.value);
  const visible = pages.filter((page) => page.visible(store.config.value, me));
  const [path = "", ...rest] = route.section;
  const page = pages.find((p) => p.path === path);
  let content;
  if (!path) {
    content = html`<${Landing} team=${team} visible=${visible} />`;
  } else if (!page) {
    content = html`<${Message} title="Page not found">There is no such integrations page. <a href=${consolePath(team)}>See them all</a>.<//>`;
  } else if (!visible.includes(page)) {
    content = html`<${Message} title=${page.title}>This page is not available: it is switched off on this server, or
      you may not manage it in ${team.display_name}.<//>`;
  } else if (rest.length > 1 || (rest.length && !(page.sections || []).includes(rest[0]))) {
    content = html`<${Message} title="Page not found">There is no such page. <a href=${consolePath(team, page.path)}>Back to ${page.title}</a>.<//>`;
  } else {
    const Page = page.component;
    content = html`<${Page} key=${where} team=${team} section=${rest} query=${route.query} me=${me} />`;
  }

  return html`<div class="backstage">
    <header class="backstage-bar">
      <a class="backstage-back" href=${`/${team.name}/channels/town-square`}>
        <span aria-hidden="true">‹ </span>Back to ${team.display_name}</a>
      <span class="backstage-bar-title">Integrations</span>
    </header>
    <div class="backstage-body">
      <nav class="backstage-nav" aria-label="Integrations">
        <ul>
          <li><a href=${consolePath(team)} aria-current=${!path ? "page" : undefined}
            class=${!path ? "active" : ""}>Overview</a></li>
          ${visible.map((p) => html`<li key=${p.path}>
            <a href=${consolePath(team, p.path)} class=${p.path === path ? "active" : ""}
              aria-current=${p.path === path ? "page" : undefined}>${p.title}</a>
          </li>`)}
        </ul>
      </nav>
      <main class="backstage-content" ref=${main}>${content}</main>
    </div>
  </div>`;
}
