// User management > Users: find accounts, create one, and for each: deactivate or activate, make a system
// admin or a member, reset the password, end every session, list and revoke personal access tokens.
//
// Without a search term the list pages through GET /users (by username); with one it asks
// POST /users/search (deactivated accounts too) and pages through the answer here.

import { useSignal } from "@preact/signals";
import { useEffect, useId } from "preact/hooks";

import * as api from "../../api.js";
import { html } from "../../html.js";
import * as store from "../../store.js";
import {
  ActionMenu, AdminDialog, ConfirmDialog, DialogField, ErrorAlert, Loading, Notice, PageHeader, Pager,
  UserImage, formatDate, isSystemAdmin, useLoad,
} from "./common.js";

const PER_PAGE = 20;
const SEARCH_LIMIT = 1000;
const FILTERS = [
  { value: "all", label: "All users" },
  { value: "active", label: "Active users" },
  { value: "inactive", label: "Deactivated users" },
  { value: "system_admin", label: "System admins" },
];

function keep(filter, user) {
  if (filter === "active") return user.delete_at === 0;
  if (filter === "inactive") return user.delete_at !== 0;
  if (filter === "system_admin") return isSystemAdmin(user);
  return true;
}

async function findUsers(term, filter, page) {
  if (term) {
    const found = await api.post("users/search", { term, allow_inactive: true, limit: SEARCH_LIMIT });
    const kept = found.filter((user) => keep(filter, user));
    const rows = kept.slice(page * PER_PAGE, (page + 1) * PER_PAGE);
    return { rows, total: kept.length, hasNext: (page + 1) * PER_PAGE < kept.length };
  }
  const query = { page, per_page: PER_PAGE + 1 };
  if (filter === "active") query.active = "true";
  if (filter === "inactive") query.inactive = "true";
  if (filter === "system_admin") query.role = "system_admin";
  const found = await api.get(`users${api.queryString(query)}`);
  return { rows: found.slice(0, PER_PAGE), total: undefined, hasNext: found.length > PER_PAGE };
}

const fullName = (user) => [user.first_name, user.last_name].filter(Boolean).join(" ");

function roleName(user) {
  if (user.is_bot) return "Bot";
  return isSystemAdmin(user) ? "System admin" : "Member";
}

// ---- the dialogs ------------------------------------------------------------------------------------------
function CreateUser({ onClose }) {
  const email = useSignal("");
  const username = useSignal("");
  const password = useSignal("");
  const firstName = useSignal("");
  const lastName = useSignal("");
  const error = useSignal("");
  const busy = useSignal(false);
  async function submit(event) {
    event.preventDefault();
    busy.value = true;
    error.value = "";
    try {
      const user = await api.post("users", {
        email: email.value.trim(),
        username: username.value.trim(),
        password: password.value,
        first_name: firstName.value.trim(),
        last_name: lastName.value.trim(),
      });
      onClose(user);
    } catch (failure) {
      error.value = failure.message;
      busy.value = false;
    }
  }
  return html`<${AdminDialog} title="Add user" onClose=${() => onClose(null)}>
    <form onSubmit=${submit}>
      <${DialogField} label="Email" name="email" type="email" value=${email} autofocus />
      <${DialogField} label="Username" name="username" value=${username} />
      <${DialogField} label="First name (optional)" name="first_name" value=${firstName} required=${false} />
      <${DialogField} label="Last name (optional)" name="last_name" value=${lastName} required=${false} />
      <${DialogField} label="Password" name="password" type="password" value=${password} autocomplete="new-password"
        hint=${passwordHint()} />
      <${ErrorAlert} message=${error.value} />
      <div class="modal-buttons">
        <button type="button" onClick=${() => onClose(null)}>Cancel</button>
        <button type="submit" class="primary" disabled=${busy.value}>Create user</button>
      </div>
    </form>
  <//>`;
}

function passwordHint() {
  const config = store.config.value;
  const rules = [`at least ${config.PasswordMinimumLength || 8} characters`];
  if (config.PasswordRequireLowercase === "true") rules.push("a lowercase letter");
  if (config.PasswordRequireUppercase === "true") rules.push("an uppercase letter");
  if (config.PasswordRequireNumber === "true") rules.push("a number");
  if (config.PasswordRequireSymbol === "true") rules.push("a symbol");
  return `Must have ${rules.join(", ")}.`;
}

function ResetPassword({ user, onClose }) {
  const password = useSignal("");
  const error = useSignal("");
  const busy = useSignal(false);
  async function submit(event) {
    event.preventDefault();
    busy.value = true;
    error.value = "";
    try {
      await api.put(`users/${user.id}/password`, { new_password: password.value });
      onClose(`The password of @${user.username} was reset; their sessions have ended.`);
    } catch (failure) {
      error.value = failure.message;
      busy.value = false;
    }
  }
  return html`<${AdminDialog} title=${`Reset the password of @${user.username}`} onClose=${() => onClose("")}>
    <form onSubmit=${submit}>
      <${DialogField} label="New password" name="new_password" type="password" value=${password} autocomplete="new-password"
        autofocus hint=${`${passwordHint()} Every session of this account ends.`} />
      <${ErrorAlert} message=${error.value} />
      <div class="modal-buttons">
        <button type="button" onClick=${() => onClose("")}>Cancel</button>
        <button type="submit" class="primary" disabled=${busy.value}>Reset password</button>
      </div>
    </form>
  <//>`;
}

function ManageRoles({ user, onClose }) {
  const admin = useSignal(isSystemAdmin(user));
  const error = useSignal("");
  const busy = useSignal(false);
  const name = useId();
  async function submit(event) {
    event.preventDefault();
    busy.value = true;
    error.value = "";
    // Keep any other role the account has (a user access token role, for one).
    const others = (user.roles || "").split(" ").filter((role) => role && role !== "system_admin" && role !== "system_user");
    const roles = ["system_user", ...(admin.value ? ["system_admin"] : []), ...others].join(" ");
    try {
      await api.put(`users/${user.id}/roles`, { roles });
      onClose(admin.value ? `@${user.username} is now a system admin.` : `@${user.username} is now a member.`);
    } catch (failure) {
      error.value = failure.message;
      busy.value = false;
    }
  }
  return html`<${AdminDialog} title=${`Roles of @${user.username}`} onClose=${() => onClose("")}>
    <form onSubmit=${submit}>
      <fieldset class="admin-radios">
        <legend>Role</legend>
        <label><input type="radio" name=${name} checked=${!admin.value} onChange=${() => (admin.value = false)} />
          <span><strong>Member</strong><span class="admin-help">Uses the teams and channels they belong to.</span></span></label>
        <label><input type="radio" name=${name} checked=${admin.value} onChange=${() => (admin.value = true)} />
          <span><strong>System admin</strong><span class="admin-help">Has every permission, the system console included.</span></span></label>
      </fieldset>
      <${ErrorAlert} message=${error.value} />
      <div class="modal-buttons">
        <button type="button" onClick=${() => onClose("")}>Cancel</button>
        <button type="submit" class="primary" disabled=${busy.value}>Save</button>
      </div>
    </form>
  <//>`;
}

function ManageTokens({ user, onClose }) {
  const tokens = useLoad(() => api.get(`users/${user.id}/tokens?per_page=200`), [user.id]);
  const asking = useSignal("");
  const error = useSignal("");
  const notice = useSignal("");
  async function revoke(token) {
    error.value = "";
    try {
      await api.post("users/tokens/revoke", { token_id: token.id });
      asking.value = "";
      notice.value = `The token "${token.description}" was revoked.`;
      await tokens.reload();
    } catch (failure) {
      error.value = failure.message;
    }
  }
  const list = tokens.data.value;
  return html`<${AdminDialog} title=${`Personal access tokens of @${user.username}`} onClose=${() => onClose("")} wide>
    <${ErrorAlert} message=${tokens.error.value || error.value} />
    <${Notice} message=${notice.value} />
    ${list === null && !tokens.error.value && html`<${Loading} />`}
    ${list && list.length === 0 && html`<p class="muted">This account has no personal access tokens.</p>`}
    ${list && list.length > 0 && html`<ul class="admin-token-list" aria-label="Tokens">
      ${list.map((token) => html`<li key=${token.id}>
        <div class="admin-token">
          <strong>${token.description}</strong>
          <span class="muted">Token ID: <code>${token.id}</code>${token.is_active ? "" : " · disabled"}</span>
        </div>
        ${asking.value === token.id
          ? html`<span class="admin-inline-confirm">
              <span>Revoke it?</span>
              <button type="button" class="primary admin-danger" onClick=${() => revoke(token)}>Revoke</button>
              <button type="button" onClick=${() => (asking.value = "")}>Cancel</button>
            </span>`
          : html`<button type="button" class="danger" aria-label=${`Revoke ${token.description}`} onClick=${() => (asking.value = token.id)}>Revoke</button>`}
      </li>`)}
    </ul>`}
    <div class="modal-buttons"><button type="button" onClick=${() => onClose("")}>Close</button></div>
  <//>`;
}

// ---- the page ---------------------------------------------------------------------------------------------
function UserRow({ user, onAction }) {
  const me = store.me.value;
  const self = me && me.id === user.id;
  const active = user.delete_at === 0;
  const details = [fullName(user), user.nickname && `(${user.nickname})`].filter(Boolean).join(" ");
  return html`<tr class=${active ? "" : "inactive"}>
    <td>
      <div class="admin-user">
        <${UserImage} user=${user} />
        <div class="admin-user-text">
          <span class="admin-username">@${user.username}${self && html`<span class="tag">you</span>`}</span>
          ${details && html`<span class="admin-user-details">${details}</span>`}
          <span class="muted admin-email">${user.email}</span>
        </div>
      </div>
    </td>
    <td>${roleName(user)}</td>
    <td><span class=${`admin-pill ${active ? "on" : "off"}`}>${active ? "Active" : "Deactivated"}</span></td>
    <td class="admin-date">${formatDate(user.create_at)}</td>
    <td class="admin-actions-cell">
      <${ActionMenu} label=${`Actions for @${user.username}`} items=${[
        !self && active && { label: "Deactivate", danger: true, onSelect: () => onAction("deactivate", user) },
        !self && !active && { label: "Activate", onSelect: () => onAction("activate", user) },
        !self && !user.is_bot && active && { label: "Manage roles", onSelect: () => onAction("roles", user) },
        !user.is_bot && { label: "Reset password", onSelect: () => onAction("password", user) },
        { label: "Manage tokens", onSelect: () => onAction("tokens", user) },
        { label: "Revoke all sessions", danger: true, onSelect: () => onAction("sessions", user) },
      ]} />
    </td>
  </tr>`;
}

export function UsersPage() {
  const term = useSignal("");
  const query = useSignal("");
  const filter = useSignal("all");
  const page = useSignal(0);
  const dialog = useSignal(null); // {kind, user}
  const notice = useSignal("");
  const searchId = useId();
  const filterId = useId();

  useEffect(() => {
    const timer = setTimeout(() => {
      if (query.value !== term.value.trim()) {
        query.value = term.value.trim();
        page.value = 0;
      }
    }, 250);
    return () => clearTimeout(timer);
  }, [term.value]);

  const result = useLoad(() => findUsers(query.value, filter.value, page.value), [query.value, filter.value, page.value]);
  const found = result.data.value;

  function done(message) {
    dialog.value = null;
    if (message) notice.value = message;
    result.reload();
  }

  async function activate(user) {
    try {
      await api.put(`users/${user.id}/active`, { active: true });
      done(`@${user.username} was activated.`);
    } catch (failure) {
      notice.value = "";
      result.error.value = failure.message;
    }
  }

  function onAction(kind, user) {
    notice.value = "";
    if (kind === "activate") activate(user);
    else dialog.value = { kind, user };
  }

  const open = dialog.value;
  return html`<${PageHeader} title="Users">
      <button type="button" class="primary" onClick=${() => (dialog.value = { kind: "create" })}>Add user</button>
    <//>
    <div class="admin-body">
      <section class="admin-card" aria-labelledby="admin-page-title">
        <div class="admin-toolbar">
          <label class="visually-hidden" for=${searchId}>Search users</label>
          <input id=${searchId} type="search" class="admin-search" placeholder="Search users by name or email" value=${term.value}
            onInput=${(e) => (term.value = e.currentTarget.value)} />
          <label class="visually-hidden" for=${filterId}>Show</label>
          <select id=${filterId} class="admin-select" value=${filter.value}
            onChange=${(e) => { filter.value = e.currentTarget.value; page.value = 0; }}>
            ${FILTERS.map((f) => html`<option key=${f.value} value=${f.value}>${f.label}</option>`)}
          </select>
        </div>
        <${Notice} message=${notice.value} />
        <${ErrorAlert} message=${result.error.value} />
        ${found === null && !result.error.value && html`<${Loading} />`}
        ${found && found.rows.length === 0 && html`<p class="admin-empty">No users match.</p>`}
        ${found && found.rows.length > 0 && html`<table class="admin-table">
          <caption class="visually-hidden">Users</caption>
          <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Member since</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${found.rows.map((user) => html`<${UserRow} key=${user.id} user=${user} onAction=${onAction} />`)}</tbody>
        </table>`}
        ${found && html`<${Pager} page=${page.value} perPage=${PER_PAGE} shown=${found.rows.length} total=${found.total}
          hasNext=${found.hasNext} onPage=${(n) => (page.value = n)} label="Pages of users" />`}
      </section>
    </div>
    ${open && open.kind === "create" && html`<${CreateUser} onClose=${(user) => done(user ? `@${user.username} was created.` : "")} />`}
    ${open && open.kind === "password" && html`<${ResetPassword} user=${open.user} onClose=${done} />`}
    ${open && open.kind === "roles" && html`<${ManageRoles} user=${open.user} onClose=${done} />`}
    ${open && open.kind === "tokens" && html`<${ManageTokens} user=${open.user} onClose=${done} />`}
    ${open && open.kind === "deactivate" && html`<${ConfirmDialog} title=${`Deactivate @${open.user.username}`} confirm="Deactivate" danger
      action=${() => api.put(`users/${open.user.id}/active`, { active: false })}
      onClose=${(ok) => done(ok ? `@${open.user.username} was deactivated.` : "")}>
      <p>Deactivating @${open.user.username} signs them out everywhere and stops their personal access tokens.
        They cannot sign in again until an admin activates the account.</p>
    <//>`}
    ${open && open.kind === "sessions" && html`<${ConfirmDialog} title=${`Revoke the sessions of @${open.user.username}`} confirm="Revoke all sessions" danger
      action=${() => api.post(`users/${open.user.id}/sessions/revoke/all`)}
      onClose=${(ok) => done(ok ? `Every session of @${open.user.username} has ended.` : "")}>
      <p>@${open.user.username} is signed out of every device and browser and has to sign in again.${store.me.value && store.me.value.id === open.user.id ? " That includes this page." : ""}</p>
    <//>`}`;
}
