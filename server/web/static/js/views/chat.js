// The chat: teams and channels on the left, the open channel with its messages and composer on the right.

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

import * as api from "../api.js";
import { html } from "../html.js";
import { navigate } from "../router.js";
import { askPermission } from "../notify.js";
import { connectionState } from "../socket.js";
import * as store from "../store.js";
import { Composer } from "./composer.js";
import { Modal } from "./modal.js";
import { RightPane, SearchBox } from "./rhs.js";
import { Switcher } from "./switcher.js";
import { Avatar, PostList } from "./posts.js";

function TeamBar() {
  const current = store.currentTeam.value;
  return html`<nav class="team-bar" aria-label="Teams">
    ${store.teams.value.map((team) => {
      const unread = store.teamUnreads.value[team.id];
      const label = team.display_name + (unread && unread.mention_count ? `, ${unread.mention_count} mentions` : "");
      return html`<a key=${team.id} href=${`/${team.name}/channels/town-square`} class=${`team-button${team.id === current?.id ? " active" : ""}`}
        aria-current=${team.id === current?.id ? "page" : undefined} aria-label=${label} title=${team.display_name}>
        ${team.display_name.slice(0, 2)}
        ${unread && unread.mention_count > 0 && team.id !== current?.id && html`<span class="badge">${unread.mention_count}</span>`}
        ${unread && !unread.mention_count && unread.msg_count > 0 && team.id !== current?.id && html`<span class="dot" aria-hidden="true"></span>`}
      </a>`;
    })}
    <a class="team-button add" href="/select_team" aria-label="Other teams" title="Other teams">+</a>
  </nav>`;
}

function StatusDot({ userId }) {
  const status = store.statuses.value[userId] || "offline";
  return html`<span class=${`status status-${status}`} role="img" aria-label=${status}></span>`;
}

function ChannelLink({ team, channel }) {
  const active = channel.id === store.currentChannelId.value;
  const unread = store.isUnread(channel);
  const mentions = store.mentionCount(channel);
  const partner = store.directPartnerId(channel);
  const label = store.channelTitle(channel) + (mentions ? `, ${mentions} mentions` : unread ? ", unread" : "");
  return html`<li>
    <a href=${store.channelPath(team, channel)} class=${`channel-link${active ? " active" : ""}${unread ? " unread" : ""}`}
      aria-current=${active ? "page" : undefined} aria-label=${label}>
      ${partner ? html`<${StatusDot} userId=${partner} />` : html`<span class="channel-icon" aria-hidden="true">${channel.type === "P" ? "🔒" : channel.type === "G" ? "👥" : "#"}</span>`}
      <span class="channel-name">${store.channelTitle(channel)}</span>
      ${mentions > 0 && html`<span class="badge" aria-hidden="true">${mentions}</span>`}
    </a>
  </li>`;
}

function UserMenu() {
  const open = useSignal(false);
  const me = store.me.value;
  const team = store.currentTeam.value;
  const isAdmin = me.roles.split(" ").includes("system_admin");
  async function setStatus(status) {
    await api.put(`users/${me.id}/status`, { user_id: me.id, status });
    store.statuses.value = { ...store.statuses.value, [me.id]: status };
    open.value = false;
  }
  return html`<div class="user-menu">
    <button type="button" class="user-button" aria-haspopup="menu" aria-expanded=${open.value} onClick=${() => (open.value = !open.value)}>
      <${Avatar} user=${me} size=${24} /><${StatusDot} userId=${me.id} /><span>@${me.username}</span>
    </button>
    ${open.value && html`<ul class="menu" role="menu" onKeyDown=${(e) => e.key === "Escape" && (open.value = false)}>
      ${["online", "away", "dnd", "offline"].map((status) => html`<li role="none"><button role="menuitem" type="button" onClick=${() => setStatus(status)}>
        ${{ online: "Online", away: "Away", dnd: "Do not disturb", offline: "Offline" }[status]}</button></li>`)}
      ${typeof Notification !== "undefined" && Notification.permission === "default" && html`<li role="none">
        <button role="menuitem" type="button" onClick=${() => askPermission().then(() => (open.value = false))}>Enable desktop notifications</button></li>`}
      ${team && html`<li role="none"><a role="menuitem" href=${`/${team.name}/integrations`}>Integrations</a></li>`}
      ${isAdmin && html`<li role="none"><a role="menuitem" href="/admin_console">System console</a></li>`}
      <li role="none"><button role="menuitem" type="button" onClick=${() => store.logout().then(() => navigate("/login"))}>Log out</button></li>
    </ul>`}
  </div>`;
}

function Sidebar({ onNewChannel, onBrowse, onDirect }) {
  const team = store.currentTeam.value;
  const all = Object.values(store.channels.value).filter((c) => c.delete_at === 0);
  const byName = (a, b) => store.channelTitle(a).localeCompare(store.channelTitle(b));
  const open = all.filter((c) => c.type === "O" || c.type === "P").sort(byName);
  const direct = all.filter((c) => c.type === "D" || c.type === "G").sort((a, b) => b.last_post_at - a.last_post_at);
  return html`<nav class="sidebar" aria-label="Channels">
    <header class="sidebar-header">
      <h1 class="team-name">${team ? team.display_name : ""}</h1>
      <${UserMenu} />
    </header>
    <div class="sidebar-sections">
      <section aria-labelledby="channels-heading">
        <div class="section-heading">
          <h2 id="channels-heading">Channels</h2>
          <button type="button" class="icon" onClick=${onBrowse} aria-label="Browse channels">⋯</button>
          <button type="button" class="icon" onClick=${onNewChannel} aria-label="Create a channel">+</button>
        </div>
        <ul>${open.map((c) => html`<${ChannelLink} key=${c.id} team=${team} channel=${c} />`)}</ul>
      </section>
      <section aria-labelledby="direct-heading">
        <div class="section-heading">
          <h2 id="direct-heading">Direct messages</h2>
          <button type="button" class="icon" onClick=${onDirect} aria-label="Write to someone">+</button>
        </div>
        <ul>${direct.map((c) => html`<${ChannelLink} key=${c.id} team=${team} channel=${c} />`)}</ul>
      </section>
    </div>
  </nav>`;
}

function Typing({ channelId }) {
  const who = Object.keys(store.typing.value[channelId] || {}).map((id) => store.displayName(store.users.value[id]));
  const text = who.length === 0 ? "" : who.length === 1 ? `${who[0]} is typing…` : `${who.slice(0, -1).join(", ")} and ${who.at(-1)} are typing…`;
  return html`<div class="typing" aria-live="polite">${text}</div>`;
}

async function leave(channel) {
  const team = store.currentTeam.value;
  await api.del(`channels/${channel.id}/members/${store.me.value.id}`);
  await store.loadChannels(team.id);
  navigate(`/${team.name}/channels/town-square`);
}

function ChannelView({ channel, socket }) {
  const editingId = useSignal(null);
  const area = useRef(null);
  function editLast() {
    const list = store.postLists.value[channel.id];
    const mine = list && [...list.order].reverse().map((id) => store.posts.value[id])
      .find((p) => p && p.user_id === store.me.value.id && !p.state && !p.type && !p.ephemeral);
    if (mine) editingId.value = mine.id;
  }
  const label = `Write to ${store.channelTitle(channel)}`;
  return html`<main class="channel" aria-labelledby="channel-title" ref=${area}>
    <header class="channel-header">
      <div class="channel-heading">
        <h2 id="channel-title">${channel.type === "P" ? "🔒 " : ""}${store.channelTitle(channel)}</h2>
        ${channel.header && html`<p class="channel-topic">${channel.header}</p>`}
      </div>
      ${channel.type !== "D" && channel.name !== "town-square" && html`<button type="button" class="leave"
        onClick=${() => leave(channel)}>Leave channel</button>`}
      <${SearchBox} />
    </header>
    <${PostList} channelId=${channel.id} editingId=${editingId.value} onEdit=${(id) => (editingId.value = id)}
      onReply=${(post) => (store.rhs.value = { kind: "thread", rootId: post.root_id || post.id })} />
    <${Typing} channelId=${channel.id} />
    <${Composer} channel=${channel} socket=${socket} onEditLast=${editLast} label=${label} dropTarget=${area} />
  </main>`;
}

function NewChannel({ team, onClose }) {
  const name = useSignal("");
  const purpose = useSignal("");
  const isPrivate = useSignal(false);
  const error = useSignal("");
  async function submit(event) {
    event.preventDefault();
    const url = name.value.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
    try {
      const channel = await api.post("channels", {
        team_id: team.id, name: url.length >= 2 ? url : `c-${url}`, display_name: name.value.trim(),
        purpose: purpose.value, type: isPrivate.value ? "P" : "O",
      });
      await store.loadChannels(team.id);
      onClose();
      navigate(`/${team.name}/channels/${channel.name}`);
    } catch (failure) {
      error.value = failure.message;
    }
  }
  return html`<${Modal} title="Create a channel" onClose=${onClose}>
    <form onSubmit=${submit}>
      <label class="field"><span>Name</span><input required value=${name.value} onInput=${(e) => (name.value = e.currentTarget.value)} autofocus /></label>
      <label class="field"><span>Purpose (optional)</span><input value=${purpose.value} onInput=${(e) => (purpose.value = e.currentTarget.value)} /></label>
      <label class="check"><input type="checkbox" checked=${isPrivate.value} onChange=${(e) => (isPrivate.value = e.currentTarget.checked)} /> Private: only invited members can see it</label>
      ${error.value && html`<p class="form-error" role="alert">${error.value}</p>`}
      <div class="modal-buttons"><button type="button" onClick=${onClose}>Cancel</button><button class="primary" type="submit">Create</button></div>
    </form>
  <//>`;
}

function BrowseChannels({ team, onClose }) {
  const found = useSignal(null);
  const error = useSignal("");
  useEffect(() => {
    api.get(`teams/${team.id}/channels?per_page=200`).then((list) => (found.value = list), (e) => (error.value = e.message));
  }, [team.id]);
  async function join(channel) {
    try {
      await api.post(`channels/${channel.id}/members`, { user_id: store.me.value.id });
      await store.loadChannels(team.id);
      onClose();
      navigate(`/${team.name}/channels/${channel.name}`);
    } catch (failure) {
      error.value = failure.message;
    }
  }
  const mine = store.channels.value;
  return html`<${Modal} title="Browse channels" onClose=${onClose}>
    ${error.value && html`<p class="form-error" role="alert">${error.value}</p>`}
    ${found.value === null ? html`<p>Loading…</p>` : html`<ul class="browse-list">
      ${found.value.map((c) => html`<li key=${c.id}>
        <div><strong>${c.display_name}</strong>${c.purpose && html`<p class="muted">${c.purpose}</p>`}</div>
        ${mine[c.id] ? html`<a href=${`/${team.name}/channels/${c.name}`} onClick=${onClose}>View</a>`
          : html`<button type="button" onClick=${() => join(c)}>Join</button>`}
      </li>`)}
    </ul>`}
  <//>`;
}

function DirectMessage({ team, onClose }) {
  const term = useSignal("");
  const found = useSignal([]);
  const group = useSignal([]); // users picked for a group message
  useEffect(() => {
    const timer = setTimeout(() => {
      api.get(`users/autocomplete?in_team=${team.id}&name=${encodeURIComponent(term.value)}`).then((answer) => {
        found.value = (answer.users || []).filter((u) => u.id !== store.me.value.id);
      }, () => (found.value = []));
    }, 150);
    return () => clearTimeout(timer);
  }, [term.value]);
  async function open(user) {
    await store.openDirect(user.id);
    onClose();
    navigate(`/${team.name}/messages/@${user.username}`);
  }
  async function openGroup() {
    const channel = await store.openGroup(group.value.map((u) => u.id));
    onClose();
    navigate(`/${team.name}/messages/${channel.name}`);
  }
  const picked = (user) => group.value.some((u) => u.id === user.id);
  const toggle = (user) => (group.value = picked(user) ? group.value.filter((u) => u.id !== user.id) : [...group.value, user]);
  return html`<${Modal} title="Direct message" onClose=${onClose}>
    <label class="field"><span>Find someone</span><input value=${term.value} autofocus onInput=${(e) => (term.value = e.currentTarget.value)} /></label>
    ${group.value.length > 0 && html`<p class="group-picked">Group with ${group.value.map((u) => `@${u.username}`).join(", ")}
      <button type="button" class="primary" disabled=${group.value.length < 2} onClick=${openGroup}>Start group message</button></p>`}
    <ul class="browse-list">
      ${found.value.map((u) => html`<li key=${u.id}><div><${Avatar} user=${u} size=${24} /> <strong>@${u.username}</strong>
        ${(u.first_name || u.last_name) && html` <span class="muted">${u.first_name} ${u.last_name}</span>`}</div>
        <div class="row-buttons">
          <label class="check"><input type="checkbox" checked=${picked(u)} onChange=${() => toggle(u)} /> Group</label>
          <button type="button" onClick=${() => open(u)}>Message</button></div></li>`)}
    </ul>
  <//>`;
}

function ConnectionBar() {
  const state = connectionState.value;
  if (store.reloading.value) return html`<div class="connection-bar" role="status">Hubbub was updated: this page reloads in a moment.</div>`;
  if (state === "open" || state === "connecting") return null;
  return html`<div class=${`connection-bar ${state}`} role="status">
    ${state === "failed" ? "Cannot connect to the server. Retrying…" : "Reconnecting…"}
  </div>`;
}

// Resolves the route's team and channel (loading what is missing), then shows them.
export function Chat({ route, socket }) {
  const modal = useSignal("");
  const problem = useSignal("");
  const team = store.teams.value.find((t) => t.name === route.team);

  useEffect(() => {
    // Ctrl+K (⌘K) finds a channel, as in Mattermost.
    const onKey = (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        modal.value = "switch";
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    if (!team) return;
    if (store.currentTeamId.value !== team.id) {
      store.currentTeamId.value = team.id;
      store.currentChannelId.value = "";
      store.loadChannels(team.id).catch((e) => (problem.value = e.message));
    }
  }, [team && team.id]);

  const loaded = team && store.currentTeamId.value === team.id && Object.keys(store.channels.value).length > 0;
  const channel = loaded ? findChannel(route) : null;

  useEffect(() => {
    if (!loaded) return;
    if (route.page === "team") {
      navigate(`/${team.name}/channels/town-square`, { replace: true });
    } else if (route.page === "messages" && !channel && route.target.startsWith("@")) {
      openDirectByName(team, route.target).catch((e) => (problem.value = e.message));
    } else if (route.page === "permalink") {
      api.get(`posts/${route.postId}`).then((post) => {
        const target = store.channels.value[post.channel_id];
        if (target) {
          store.highlightedPostId.value = post.id;
          navigate(store.channelPath(team, target), { replace: true });
        }
        else problem.value = "That message is in a channel you are not a member of.";
      }, () => (problem.value = "That message does not exist or you cannot see it."));
    } else if (channel && channel.id !== store.currentChannelId.value) {
      store.viewChannel(channel.id).catch((e) => (problem.value = e.message));
    } else if (channel && store.highlightedPostId.value) {
      store.loadUntilShown(channel.id, store.highlightedPostId.value).catch((e) => (problem.value = e.message));
    }
  }, [loaded, route.page, route.channel, route.target, route.postId, channel && channel.id, store.highlightedPostId.value]);

  if (!team) {
    if (!store.teamsLoaded.value) return html`<p class="boot">Loading Hubbub…</p>`;
    if (store.teams.value.length) return html`<main class="account-page"><p>There is no team “${route.team}” for you. <a href="/select_team">Pick a team</a>.</p></main>`;
    navigate("/select_team", { replace: true });
    return null;
  }
  const shown = channel && channel.id === store.currentChannelId.value ? channel : null;
  return html`<div class=${`app-layout${store.rhs.value ? " with-rhs" : ""}`}>
    <${ConnectionBar} />
    <${TeamBar} />
    <${Sidebar} onNewChannel=${() => (modal.value = "new")} onBrowse=${() => (modal.value = "browse")} onDirect=${() => (modal.value = "direct")} />
    ${shown ? html`<${ChannelView} key=${shown.id} channel=${shown} socket=${socket} />`
      : html`<main class="channel empty">${problem.value ? html`<p role="alert">${problem.value}</p>` : html`<p>Loading…</p>`}</main>`}
    ${store.rhs.value && html`<${RightPane} team=${team} socket=${socket} />`}
    ${modal.value === "switch" && html`<${Switcher} team=${team} onClose=${() => (modal.value = "")} />`}
    ${modal.value === "new" && html`<${NewChannel} team=${team} onClose=${() => (modal.value = "")} />`}
    ${modal.value === "browse" && html`<${BrowseChannels} team=${team} onClose=${() => (modal.value = "")} />`}
    ${modal.value === "direct" && html`<${DirectMessage} team=${team} onClose=${() => (modal.value = "")} />`}
  </div>`;
}

function findChannel(route) {
  const all = Object.values(store.channels.value);
  if (route.page === "channel") return all.find((c) => c.name === route.channel && c.type !== "D") || null;
  if (route.page === "messages" && !route.target.startsWith("@")) {
    return all.find((c) => c.type === "G" && c.name === route.target) || null;
  }
  if (route.page === "messages") {
    const username = route.target.replace(/^@/, "");
    return all.find((c) => c.type === "D" && store.users.value[store.directPartnerId(c)]?.username === username) || null;
  }
  return null;
}

async function openDirectByName(team, target) {
  const user = await api.get(`users/username/${encodeURIComponent(target.replace(/^@/, ""))}`);
  await store.openDirect(user.id);
}
