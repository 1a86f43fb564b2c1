// User management > Teams: every team with its member count, open or invite only, its members and their
// roles, and archiving. Archived teams leave the list (Mattermost keeps them; permanent deletion over the
// API is off).

import { useSignal } from "@preact/signals";

import * as api from "../../api.js";
import { html } from "../../html.js";
import {
  ActionMenu, AdminDialog, ConfirmDialog, DialogField, ErrorAlert, Loading, Notice, PageHeader, Pager, UserImage,
  formatDate, useLoad,
} from "./common.js";

const PER_PAGE = 20;
const MEMBERS_PER_PAGE = 50;

async function loadMembers(team, page) {
  const members = await api.get(`teams/${team.id}/members${api.queryString({ page, per_page: MEMBERS_PER_PAGE })}`);
  const users = members.length ? await api.post("users/ids", members.map((member) => member.user_id)) : [];
  const byId = Object.fromEntries(users.map((user) => [user.id, user]));
  return members.filter((member) => byId[member.user_id]).map((member) => ({ member, user: byId[member.user_id] }));
}

function MemberRow({ team, member, user, onChanged, onFailure }) {
  const admin = member.scheme_admin;
  async function act(change, done) {
    onFailure("");
    try {
      await change();
      onChanged(done);
    } catch (error) {
      onFailure(error.message);
    }
  }
  const path = `teams/${team.id}/members/${user.id}`;
  return html`<tr>
    <td>
      <div class="admin-user">
        <${UserImage} user=${user} />
        <div class="admin-user-text">
          <span class="admin-username">@${user.username}</span>
          <span class="muted">${[user.first_name, user.last_name].filter(Boolean).join(" ") || user.email}</span>
        </div>
      </div>
    </td>
    <td><span class=${`admin-pill ${admin ? "on" : "neutral"}`}>${admin ? "Team admin" : "Member"}</span></td>
    <td class="admin-actions-cell">
      <${ActionMenu} label=${`Actions for @${user.username} in ${team.display_name}`} items=${[
        admin
          ? { label: "Make member", onSelect: () => act(() => api.put(`${path}/schemeRoles`, { scheme_user: true, scheme_admin: false }), `@${user.username} is now a member.`) }
          : { label: "Make team admin", onSelect: () => act(() => api.put(`${path}/schemeRoles`, { scheme_user: true, scheme_admin: true }), `@${user.username} is now a team admin.`) },
        { label: "Remove from team", danger: true, onSelect: () => act(() => api.del(path), `@${user.username} was removed from ${team.display_name}.`) },
      ]} />
    </td>
  </tr>`;
}

// The team's members with their roles, and a field to add someone by username.
function MembersDialog({ team, onClose }) {
  const page = useSignal(0);
  const notice = useSignal("");
  const failure = useSignal("");
  const username = useSignal("");
  const result = useLoad(() => loadMembers(team, page.value), [page.value]);
  const rows = result.data.value;
  function changed(message) {
    notice.value = message;
    result.reload();
  }
  async function add(event) {
    event.preventDefault();
    notice.value = "";
    failure.value = "";
    const name = username.value.trim().replace(/^@/, "");
    try {
      const user = await api.get(`users/username/${encodeURIComponent(name)}`);
      await api.post(`teams/${team.id}/members`, { team_id: team.id, user_id: user.id });
      username.value = "";
      changed(`@${user.username} was added to ${team.display_name}.`);
    } catch (error) {
      failure.value = error.status === 404 ? `There is no account @${name}.` : error.message;
    }
  }
  return html`<${AdminDialog} title=${`Members of ${team.display_name}`} onClose=${onClose} wide>
    <form class="admin-inline-form" onSubmit=${add}>
      <${DialogField} label="Add a member by username" value=${username} name="username" />
      <button type="submit" class="primary">Add</button>
    </form>
    <${Notice} message=${notice.value} />
    <${ErrorAlert} message=${result.error.value || failure.value} />
    ${rows === null && !result.error.value && html`<${Loading} />`}
    ${rows && rows.length === 0 && html`<p class="admin-empty">The team has no members.</p>`}
    ${rows && rows.length > 0 && html`<table class="admin-table">
      <caption class="visually-hidden">Members of ${team.display_name}</caption>
      <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${rows.map((row) => html`<${MemberRow} key=${row.user.id} team=${team} member=${row.member} user=${row.user}
        onChanged=${changed} onFailure=${(message) => (failure.value = message)} />`)}</tbody>
    </table>`}
    ${rows && html`<${Pager} page=${page.value} perPage=${MEMBERS_PER_PAGE} shown=${rows.length}
      hasNext=${rows.length === MEMBERS_PER_PAGE} onPage=${(n) => (page.value = n)} label="Pages of members" />`}
  <//>`;
}

async function loadTeams(page) {
  const answer = await api.get(`teams${api.queryString({ page, per_page: PER_PAGE, include_total_count: "true" })}`);
  const stats = await Promise.all(
    answer.teams.map((team) => api.get(`teams/${team.id}/stats`).catch(() => null)),
  );
  return {
    total: answer.total_count,
    rows: answer.teams.map((team, index) => ({ team, stats: stats[index] })),
  };
}

function TeamRow({ team, stats, onAction }) {
  const open = team.allow_open_invite;
  return html`<tr>
    <td>
      <div class="admin-team">
        <span class="admin-team-icon" aria-hidden="true">${(team.display_name || team.name).slice(0, 2)}</span>
        <div class="admin-user-text">
          <span class="admin-username">${team.display_name}</span>
          <span class="muted">/${team.name}</span>
          ${team.description && html`<span class="admin-user-details">${team.description}</span>`}
        </div>
      </div>
    </td>
    <td class="admin-number">${stats ? stats.active_member_count : "—"}</td>
    <td><span class=${`admin-pill ${open ? "on" : "neutral"}`}>${open ? "Anyone can join" : "Invite only"}</span></td>
    <td class="admin-date">${formatDate(team.create_at)}</td>
    <td class="admin-actions-cell">
      <${ActionMenu} label=${`Actions for ${team.display_name}`} items=${[
        { label: "Manage members", onSelect: () => onAction("members", team) },
        { label: open ? "Make invite only" : "Let anyone join", onSelect: () => onAction("type", team) },
        { label: "Archive team", danger: true, onSelect: () => onAction("archive", team) },
      ]} />
    </td>
  </tr>`;
}

export function TeamsPage() {
  const page = useSignal(0);
  const dialog = useSignal(null);
  const notice = useSignal("");
  const failure = useSignal("");
  const result = useLoad(() => loadTeams(page.value), [page.value]);
  const found = result.data.value;

  async function switchType(team) {
    failure.value = "";
    try {
      await api.put(`teams/${team.id}/patch`, { allow_open_invite: !team.allow_open_invite });
      notice.value = team.allow_open_invite ? `${team.display_name} is now invite only.` : `Anyone can now join ${team.display_name}.`;
      result.reload();
    } catch (error) {
      failure.value = error.message;
    }
  }

  function onAction(kind, team) {
    notice.value = "";
    if (kind === "type") switchType(team);
    else dialog.value = { kind, team };
  }

  const open = dialog.value;
  return html`<${PageHeader} title="Teams" />
    <div class="admin-body">
      <section class="admin-card" aria-labelledby="admin-page-title">
        <p class="admin-card-intro muted">Every team on this server. Members are the active accounts in the team.</p>
        <${Notice} message=${notice.value} />
        <${ErrorAlert} message=${result.error.value || failure.value} />
        ${found === null && !result.error.value && html`<${Loading} />`}
        ${found && found.rows.length === 0 && html`<p class="admin-empty">There are no teams yet.</p>`}
        ${found && found.rows.length > 0 && html`<table class="admin-table">
          <caption class="visually-hidden">Teams</caption>
          <thead><tr><th scope="col">Team</th><th scope="col" class="admin-number">Members</th><th scope="col">Who can join</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${found.rows.map((row) => html`<${TeamRow} key=${row.team.id} team=${row.team} stats=${row.stats} onAction=${onAction} />`)}</tbody>
        </table>`}
        ${found && html`<${Pager} page=${page.value} perPage=${PER_PAGE} shown=${found.rows.length} total=${found.total}
          hasNext=${(page.value + 1) * PER_PAGE < found.total} onPage=${(n) => (page.value = n)} label="Pages of teams" />`}
      </section>
    </div>
    ${open && open.kind === "archive" && html`<${ConfirmDialog} title=${`Archive ${open.team.display_name}`} confirm="Archive team" danger
      action=${() => api.del(`teams/${open.team.id}`)}
      onClose=${(ok) => {
        dialog.value = null;
        if (ok) {
          notice.value = `${open.team.display_name} was archived.`;
          result.reload();
        }
      }}>
      <p>Its members lose access to its channels and messages. The team is kept in the database, and its name stays taken.</p>
    <//>`}
    ${open && open.kind === "members" && html`<${MembersDialog} team=${open.team} onClose=${() => {
      dialog.value = null;
      result.reload();
    }} />`}`;
}
