// User management > Teams: every team with its member count, open or invite only, and archiving.
// Archived teams leave the list (Mattermost keeps them; permanent deletion over the API is off).

import { useSignal } from "@preact/signals";

import * as api from "../../api.js";
import { html } from "../../html.js";
import { ActionMenu, ConfirmDialog, ErrorAlert, Loading, Notice, PageHeader, Pager, formatDate, useLoad } from "./common.js";

const PER_PAGE = 20;

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
    <//>`}`;
}
