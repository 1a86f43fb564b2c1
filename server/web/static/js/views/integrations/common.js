// What every page of the integrations console shares: form fields, the error line, the delete
// confirmation, the one-time secret box, loaders for the team's channels and members, and dates.
//
// Secrets (a hook's URL, tokens, signing secrets) only ever live in `revealed`, in memory: a create
// answer is put there, the confirm view shows it once and forgets it when it closes. Nothing secret goes
// in a URL, in storage or in the page title.

import { signal, useSignal } from "@preact/signals";
import { useEffect, useId, useRef } from "preact/hooks";

import * as api from "../../api.js";
import { html } from "../../html.js";
import * as store from "../../store.js";

export { errorText } from "../../api.js";
export { formatDate, useLoad } from "../loading.js";

// ---- paths --------------------------------------------------------------------------------------------
export const consolePath = (team, ...rest) => ["", team.name, "integrations", ...rest].join("/");

export function siteUrl() {
  const configured = (store.config.value.SiteURL || "").replace(/\/+$/, "");
  return configured || window.location.origin;
}

// ---- one-time secrets -----------------------------------------------------------------------------------
const revealed = signal(null); // {kind, data} from the last create answer, until its confirm view closes

export function reveal(kind, data) {
  revealed.value = { kind, data };
}

// The create answer for this kind, shown by the confirm view that calls it and forgotten when it unmounts.
export function useRevealed(kind) {
  const held = useRef(revealed.value && revealed.value.kind === kind ? revealed.value.data : null);
  useEffect(() => () => {
    if (revealed.value && revealed.value.kind === kind) revealed.value = null;
  }, []);
  return held.current;
}

// ---- loading ----------------------------------------------------------------------------------------------
export async function teamChannels(team, { publicOnly = false } = {}) {
  const [mine, open] = await Promise.all([
    api.get(`users/me/teams/${team.id}/channels`).catch(() => []),
    api.get(`teams/${team.id}/channels?per_page=200`),
  ]);
  const byId = {};
  for (const channel of [...open, ...mine]) {
    if (channel.delete_at === 0 && (channel.type === "O" || (!publicOnly && channel.type === "P"))) byId[channel.id] = channel;
  }
  return Object.values(byId).sort((a, b) => (a.display_name || a.name).localeCompare(b.display_name || b.name));
}

export async function teamUsers(team) {
  const found = await api.get(`users?in_team=${team.id}&per_page=200`);
  return found.filter((user) => user.delete_at === 0);
}

// Loads the accounts named by `ids` into the store, so that userName() can name them.
export function useUsers(ids) {
  const key = [...new Set(ids.filter(Boolean))].sort().join(",");
  useEffect(() => {
    if (key) store.loadUsers(key.split(",")).catch(() => {});
  }, [key]);
}

export function userName(id) {
  const user = store.users.value[id];
  return user ? `@${user.username}` : "someone";
}

export function channelName(channels, id) {
  if (!id) return "";
  const channel = (channels || []).find((c) => c.id === id);
  return channel ? channel.display_name || channel.name : "a channel you cannot see";
}

// Lists typed one per line (or separated by commas or spaces): trigger words, URLs, event patterns.
export function splitList(text) {
  return (text || "").split(/[\s,]+/).map((item) => item.trim()).filter(Boolean);
}

export const joinList = (items) => (items || []).join("\n");

// ---- page parts -------------------------------------------------------------------------------------------
export function ErrorAlert({ message }) {
  return message ? html`<p class="form-error backstage-error" role="alert">${message}</p>` : null;
}

export function PageHeader({ title, id = "page-title", children }) {
  return html`<header class="backstage-header">
    <h1 id=${id}>${title}</h1>
    <div class="backstage-header-actions">${children}</div>
  </header>`;
}

export function Breadcrumb({ team, page, title, current }) {
  return html`<header class="backstage-header">
    <h1><a href=${consolePath(team, page)}>${title}</a><span class="crumb-separator" aria-hidden="true"> › </span>${current}</h1>
  </header>`;
}

export function Loading() {
  return html`<p class="muted backstage-loading" aria-busy="true">Loading…</p>`;
}

export function Filter({ label, value }) {
  return html`<div class="backstage-filter">
    <input type="search" aria-label=${label} placeholder=${label} value=${value.value}
      onInput=${(e) => (value.value = e.currentTarget.value)} />
  </div>`;
}

export function matches(term, ...texts) {
  const wanted = term.trim().toLowerCase();
  return !wanted || texts.some((text) => String(text || "").toLowerCase().includes(wanted));
}

export function EmptyList({ children }) {
  return html`<p class="backstage-empty">${children}</p>`;
}

// ---- form fields (values live in one signal holding an object) ----------------------------------------------
function update(form, name, value) {
  form.value = { ...form.value, [name]: value };
}

export function TextField({ form, name, label, hint, type = "text", required = false, multiline = false, rows = 3,
  placeholder = "", maxLength, autofocus = false, spellcheck }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const props = {
    id, name, required, placeholder, maxLength, autofocus, spellcheck,
    value: form.value[name] ?? "",
    "aria-describedby": hintId,
    onInput: (e) => update(form, name, e.currentTarget.value),
  };
  return html`<div class="backstage-field">
    <label for=${id} class=${required ? "required" : ""}>${label}</label>
    <div class="backstage-control">
      ${multiline ? html`<textarea rows=${rows} ...${props} />` : html`<input type=${type} ...${props} />`}
      ${hint && html`<p class="field-hint" id=${hintId}>${hint}</p>`}
    </div>
  </div>`;
}

export function SelectField({ form, name, label, hint, options, required = false }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return html`<div class="backstage-field">
    <label for=${id} class=${required ? "required" : ""}>${label}</label>
    <div class="backstage-control">
      <select id=${id} name=${name} required=${required} aria-describedby=${hintId} value=${form.value[name] ?? ""}
        onChange=${(e) => update(form, name, e.currentTarget.value)}>
        ${options.map((o) => html`<option key=${o.value} value=${o.value}>${o.label}</option>`)}
      </select>
      ${hint && html`<p class="field-hint" id=${hintId}>${hint}</p>`}
    </div>
  </div>`;
}

export function CheckField({ form, name, label, hint }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return html`<div class="backstage-field">
    <label for=${id}>${label}</label>
    <div class="backstage-control backstage-check">
      <input type="checkbox" id=${id} name=${name} checked=${Boolean(form.value[name])} aria-describedby=${hintId}
        onChange=${(e) => update(form, name, e.currentTarget.checked)} />
      ${hint && html`<p class="field-hint" id=${hintId}>${hint}</p>`}
    </div>
  </div>`;
}

export function FormSection({ title, children }) {
  return html`<fieldset class="backstage-section">
    <legend>${title}</legend>
    ${children}
  </fieldset>`;
}

export function FormButtons({ busy, submitLabel, cancelHref }) {
  return html`<div class="backstage-buttons">
    <a class="button secondary" href=${cancelHref}>Cancel</a>
    <button class="primary" type="submit" disabled=${busy}>${busy ? "Saving…" : submitLabel}</button>
  </div>`;
}

// ---- secrets shown once, with a Copy button ------------------------------------------------------------------
export function SecretField({ label, value, hint }) {
  const id = useId();
  const copied = useSignal("");
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      copied.value = "Copied";
    } catch {
      copied.value = "Copying is not allowed here: select the text and copy it.";
    }
  }
  return html`<div class="backstage-field secret-field">
    <label for=${id}>${label}</label>
    <div class="backstage-control">
      <div class="secret-row">
        <input id=${id} class="mono" readonly value=${value} spellcheck=${false} onFocus=${(e) => e.currentTarget.select()} />
        <button type="button" onClick=${copy} aria-label=${`Copy ${label}`}>Copy</button>
      </div>
      <p class="field-hint" role="status">${copied.value || hint || ""}</p>
    </div>
  </div>`;
}

export function CodeExample({ label, code }) {
  const copied = useSignal("");
  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      copied.value = "Copied";
    } catch {
      copied.value = "Copying is not allowed here: select the text and copy it.";
    }
  }
  return html`<figure class="code-example">
    <figcaption>${label} <button type="button" class="link" onClick=${copy} aria-label=${`Copy ${label}`}>Copy</button>
      <span class="muted" role="status">${copied.value}</span></figcaption>
    <pre><code>${code}</code></pre>
  </figure>`;
}

// ---- the confirmation before a delete --------------------------------------------------------------------------
export function ConfirmDialog({ title, children, confirmLabel = "Delete", onConfirm, onClose }) {
  const dialog = useRef(null);
  const busy = useSignal(false);
  const error = useSignal("");
  useEffect(() => {
    dialog.current.showModal();
  }, []);
  async function confirm() {
    busy.value = true;
    error.value = "";
    try {
      await onConfirm();
      onClose();
    } catch (failure) {
      error.value = api.errorText(failure);
      busy.value = false;
    }
  }
  return html`<dialog ref=${dialog} class="modal backstage-confirm" aria-labelledby="confirm-title" onClose=${onClose}
    onCancel=${(e) => { e.preventDefault(); onClose(); }}>
    <header><h2 id="confirm-title">${title}</h2></header>
    <div class="confirm-body">
      ${children}
      <${ErrorAlert} message=${error.value} />
      <div class="modal-buttons">
        <button type="button" onClick=${onClose} autofocus>Cancel</button>
        <button type="button" class="primary danger-fill" disabled=${busy.value} onClick=${confirm}>${confirmLabel}</button>
      </div>
    </div>
  </dialog>`;
}

// An item of a list page: a title, its details as a definition list, and its actions.
export function Item({ title, tags = [], description, details, children }) {
  return html`<li class="backstage-item">
    <div class="item-main">
      <h2 class="item-title">${title}${tags.map((t) => html`<span class=${`item-tag ${t.kind || ""}`}>${t.label}</span>`)}</h2>
      ${description && html`<p class="item-description">${description}</p>`}
      <dl class="item-details">
        ${details.filter((d) => d && d.value !== "" && d.value !== undefined && d.value !== null).map((d) => html`<div key=${d.label}>
          <dt>${d.label}</dt><dd class=${d.mono ? "mono" : ""}>${d.value}</dd></div>`)}
      </dl>
    </div>
    <div class="item-actions">${children}</div>
  </li>`;
}
