// What the system console's pages share: loading, the error line, page headers, dialogs, menus, paging.
// Every value from the server is shown as text: htm escapes it, nothing here writes HTML.

import { useSignal } from "@preact/signals";
import { useEffect, useId, useRef } from "preact/hooks";

import { html } from "../../html.js";

export { formatDate, useLoad } from "../loading.js";

export const isSystemAdmin = (user) => Boolean(user && (user.roles || "").split(" ").includes("system_admin"));

// "EnableIncomingWebhooks" -> "Enable incoming webhooks", "SiteURL" -> "Site URL", "MaxUsersPerTeam" -> "Max users per team".
export function humanize(key) {
  const words = String(key)
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/\s+/)
    .filter(Boolean);
  return words
    .map((word, index) => {
      if (/^[A-Z0-9]{2,}s?$/.test(word)) return word; // URL, SQL, IDs
      const acronym = ACRONYMS[word.toLowerCase()];
      if (acronym) return acronym;
      return index === 0 ? word.charAt(0).toUpperCase() + word.slice(1).toLowerCase() : word.toLowerCase();
    })
    .join(" ")
    .replace(/\bWeb socket\b/gi, "WebSocket");
}

// Words the settings spell in mixed case that read as acronyms.
const ACRONYMS = {
  api: "API", cors: "CORS", db: "DB", http: "HTTP", https: "HTTPS", id: "ID", ids: "IDs", ip: "IP", json: "JSON",
  ldap: "LDAP", lru: "LRU", mfa: "MFA", saml: "SAML", smtp: "SMTP", sql: "SQL", ssl: "SSL", sso: "SSO", tls: "TLS",
  url: "URL", urls: "URLs",
};

export function ErrorAlert({ message }) {
  return message ? html`<p class="form-error admin-error" role="alert">${message}</p>` : null;
}

export function Notice({ message }) {
  return html`<p class="admin-notice" role="status">${message || ""}</p>`;
}

export function PageHeader({ title, children }) {
  return html`<header class="admin-header">
    <h1 id="admin-page-title">${title}</h1>
    ${children && html`<div class="admin-header-actions">${children}</div>`}
  </header>`;
}

export function Loading({ label = "Loading…" }) {
  return html`<p class="muted admin-loading" aria-busy="true">${label}</p>`;
}

// A native modal <dialog>: it traps focus, closes on Escape, and gives focus back to what opened it.
export function AdminDialog({ title, onClose, children, wide = false }) {
  const dialog = useRef(null);
  const titleId = useId();
  useEffect(() => {
    const opener = document.activeElement;
    dialog.current.showModal();
    return () => {
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);
  return html`<dialog ref=${dialog} class=${`modal admin-dialog${wide ? " wide" : ""}`} aria-labelledby=${titleId}
    onCancel=${(e) => { e.preventDefault(); onClose(); }}>
    <header><h2 id=${titleId}>${title}</h2><button type="button" class="icon" aria-label="Close" onClick=${onClose}>×</button></header>
    <div class="admin-dialog-body">${children}</div>
  </dialog>`;
}

// A dialog that asks before doing something; `action` returns a promise, its failure stays in the dialog.
export function ConfirmDialog({ title, children, confirm, danger = false, action, onClose }) {
  const busy = useSignal(false);
  const error = useSignal("");
  async function submit(event) {
    event.preventDefault();
    busy.value = true;
    error.value = "";
    try {
      await action();
      onClose(true);
    } catch (failure) {
      error.value = failure.message;
      busy.value = false;
    }
  }
  return html`<${AdminDialog} title=${title} onClose=${() => onClose(false)}>
    <form onSubmit=${submit}>
      <div class="admin-dialog-text">${children}</div>
      <${ErrorAlert} message=${error.value} />
      <div class="modal-buttons">
        <button type="button" onClick=${() => onClose(false)}>Cancel</button>
        <button type="submit" class=${danger ? "primary admin-danger" : "primary"} disabled=${busy.value}>${confirm}</button>
      </div>
    </form>
  <//>`;
}

// A menu button: the menu opens below it, arrow keys move between items, Escape or a click elsewhere closes it.
// `label` names the button for assistive technology ("Actions for @sam"); `text` is what it shows.
export function ActionMenu({ label, text = "Actions", items }) {
  const open = useSignal(false);
  const root = useRef(null);
  const button = useRef(null);
  const menuId = useId();
  useEffect(() => {
    if (!open.value) return undefined;
    const first = root.current.querySelector("[role=menuitem]");
    if (first) first.focus();
    const outside = (event) => {
      if (root.current && !root.current.contains(event.target)) open.value = false;
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open.value]);
  function close() {
    open.value = false;
    if (button.current) button.current.focus();
  }
  function onKeyDown(event) {
    const entries = [...root.current.querySelectorAll("[role=menuitem]")];
    const at = entries.indexOf(document.activeElement);
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      entries[(at + step + entries.length) % entries.length].focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      entries[event.key === "Home" ? 0 : entries.length - 1].focus();
    } else if (event.key === "Tab") {
      open.value = false;
    }
  }
  const shown = items.filter(Boolean);
  return html`<div class="admin-menu" ref=${root}>
    <button type="button" ref=${button} class="admin-menu-button" aria-haspopup="menu" aria-expanded=${open.value}
      aria-label=${label} aria-controls=${open.value ? menuId : undefined} onClick=${() => (open.value = !open.value)}>${text}<span aria-hidden="true"> ▾</span></button>
    ${open.value && html`<ul class="menu admin-menu-list" role="menu" id=${menuId} aria-label=${label} onKeyDown=${onKeyDown}>
      ${shown.map((item) => html`<li role="none" key=${item.label}>
        <button type="button" role="menuitem" class=${item.danger ? "danger" : ""}
          onClick=${() => { close(); item.onSelect(); }}>${item.label}</button>
      </li>`)}
    </ul>`}
  </div>`;
}

// Previous and next, with what is shown: "1–20 of 45" when the total is known, "1–20" otherwise.
export function Pager({ page, perPage, shown, total, hasNext, onPage, label }) {
  if (page === 0 && !hasNext) {
    return shown ? html`<p class="admin-pager muted">${shown === 1 ? "1 of 1" : `1–${shown} of ${shown}`}</p>` : null;
  }
  const first = page * perPage + 1;
  const last = page * perPage + shown;
  const range = shown ? `${first}–${last}` : "none";
  return html`<nav class="admin-pager" aria-label=${label}>
    <span class="muted">${total === undefined ? range : `${range} of ${total}`}</span>
    <button type="button" disabled=${page === 0} onClick=${() => onPage(page - 1)}>Previous</button>
    <button type="button" disabled=${!hasNext} onClick=${() => onPage(page + 1)}>Next</button>
  </nav>`;
}

// A labelled field for the console's dialogs.
export function DialogField({ label, type = "text", value, name, autocomplete = "off", autofocus = false, required = true, hint }) {
  const id = useId();
  return html`<div class="admin-dialog-field">
    <label for=${id}>${label}</label>
    <input id=${id} name=${name} type=${type} value=${value.value} autocomplete=${autocomplete} autofocus=${autofocus}
      required=${required} aria-describedby=${hint ? `${id}-hint` : undefined} onInput=${(e) => (value.value = e.currentTarget.value)} />
    ${hint && html`<p class="admin-help" id=${`${id}-hint`}>${hint}</p>`}
  </div>`;
}

// The account's profile image (an uploaded one, or the server's initials on a colour of its own).
export function UserImage({ user }) {
  return html`<img class="admin-avatar" width="36" height="36" alt="" loading="lazy"
    src=${`/api/v4/users/${encodeURIComponent(user.id)}/image?_=${user.last_picture_update || 0}`} />`;
}
