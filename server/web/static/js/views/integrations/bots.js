// Bot accounts (system admins, as Mattermost's default permissions have it): add a bot, its tokens made
// and shown once on this page, disable and enable, revoke a token. Enabled bots first, then disabled ones.

import { useSignal } from "@preact/signals";

import * as api from "../../api.js";
import { html } from "../../html.js";
import * as store from "../../store.js";
import {
  ConfirmDialog, EmptyList, ErrorAlert, Loading, PageHeader, SecretField, TextField, errorText, formatDate,
  useLoad, userName, useUsers,
} from "./common.js";

const TITLE = "Bot Accounts";

async function loadBots() {
  const bots = await api.get("bots?include_deleted=true&per_page=200");
  const tokens = await Promise.all(bots.map((bot) => api.get(`users/${bot.user_id}/tokens?per_page=200`)));
  return bots.map((bot, index) => ({ bot, tokens: tokens[index] }));
}

function AddBot({ onAdded }) {
  const form = useSignal({ username: "", display_name: "", description: "" });
  const error = useSignal("");
  const busy = useSignal(false);
  async function add(event) {
    event.preventDefault();
    error.value = "";
    busy.value = true;
    try {
      const { username, display_name: displayName, description } = form.value;
      const bot = await api.post("bots", { username: username.trim(), display_name: displayName.trim(), description });
      form.value = { username: "", display_name: "", description: "" };
      await onAdded(bot);
    } catch (failure) {
      error.value = errorText(failure);
    } finally {
      busy.value = false;
    }
  }
  return html`<form class="backstage-form backstage-panel" onSubmit=${add} aria-label="Add a bot account" novalidate>
    <h2>Add a bot account</h2>
    <${TextField} form=${form} name="username" label="Username" required maxLength=${22} spellcheck=${false}
      hint="Lowercase letters, digits, '.', '-' and '_', starting with a letter: how people mention it." />
    <${TextField} form=${form} name="display_name" label="Display name" maxLength=${64} />
    <${TextField} form=${form} name="description" label="Description" multiline rows=${2} maxLength=${1024}
      hint="What it does, shown on its profile." />
    <${ErrorAlert} message=${error.value} />
    <div class="backstage-buttons start"><button class="primary" type="submit" disabled=${busy.value}>Add bot account</button></div>
  </form>`;
}

function NewToken({ bot, onMade }) {
  const form = useSignal({ description: "" });
  const error = useSignal("");
  async function make(event) {
    event.preventDefault();
    error.value = "";
    try {
      const made = await api.post(`users/${bot.user_id}/tokens`, { description: form.value.description.trim() });
      form.value = { description: "" };
      await onMade(made);
    } catch (failure) {
      error.value = errorText(failure);
    }
  }
  return html`<form class="bot-token-form" onSubmit=${make} aria-label=${`New token for ${bot.username}`} novalidate>
    <${TextField} form=${form} name="description" label="Token description" required maxLength=${255} />
    <${ErrorAlert} message=${error.value} />
    <button type="submit">Create token</button>
  </form>`;
}

function Bot({ bot, tokens, onChanged, onRevoke }) {
  const made = useSignal(null);
  const error = useSignal("");
  const enabled = bot.delete_at === 0;
  async function setEnabled(on) {
    error.value = "";
    try {
      await api.post(`bots/${bot.user_id}/${on ? "enable" : "disable"}`);
      made.value = null;
      await onChanged();
    } catch (failure) {
      error.value = errorText(failure);
    }
  }
  const title = bot.display_name ? `${bot.display_name} (@${bot.username})` : `@${bot.username}`;
  return html`<li class="backstage-item">
    <div class="item-main">
      <h2 class="item-title">${title}${!enabled && html`<span class="item-tag warning">Disabled</span>`}</h2>
      ${bot.description && html`<p class="item-description">${bot.description}</p>`}
      <dl class="item-details">
        <div><dt>Owner</dt><dd>${userName(bot.owner_id)}</dd></div>
        <div><dt>Created</dt><dd>${formatDate(bot.create_at)}</dd></div>
      </dl>
      <h3 class="bot-tokens-title">Tokens</h3>
      ${tokens.length === 0 ? html`<p class="muted">None yet.</p>` : html`<ul class="bot-tokens" aria-label=${`Tokens of @${bot.username}`}>
        ${tokens.map((token) => html`<li key=${token.id}>
          <span>${token.description}</span> <span class="mono muted">${token.id}</span>
          <button type="button" class="link danger" onClick=${() => onRevoke(token)}
            aria-label=${`Revoke ${token.description} of @${bot.username}`}>Revoke</button>
        </li>`)}
      </ul>`}
      ${made.value && html`<div class="backstage-confirm-card">
        <h3>Token created: copy it now</h3>
        <p>This is the only time the token is shown. The bot acts with it as <code>Authorization: Bearer …</code>.</p>
        <${SecretField} label=${`Access token of @${bot.username}`} value=${made.value.token} />
        <div class="backstage-buttons start"><button type="button" onClick=${() => (made.value = null)}>Done</button></div>
      </div>`}
      ${enabled && html`<${NewToken} bot=${bot} onMade=${async (token) => { made.value = token; await onChanged(); }} />`}
      <${ErrorAlert} message=${error.value} />
    </div>
    <div class="item-actions">
      <button type="button" class="link" onClick=${() => setEnabled(!enabled)}
        aria-label=${`${enabled ? "Disable" : "Enable"} @${bot.username}`}>${enabled ? "Disable" : "Enable"}</button>
    </div>
  </li>`;
}

export function Bots() {
  const result = useLoad(loadBots, []);
  const revoking = useSignal(null);
  const rows = result.data.value;
  useUsers((rows || []).map((row) => row.bot.owner_id));
  const creationOn = store.config.value.EnableBotAccountCreation === "true";
  const ordered = rows ? [...rows].sort((a, b) => (a.bot.delete_at === 0 ? 0 : 1) - (b.bot.delete_at === 0 ? 0 : 1)) : [];
  return html`<section class="backstage-page" aria-labelledby="page-title">
    <${PageHeader} title=${TITLE} />
    <p class="backstage-intro">A bot is an account for an integration: it posts under its own name, is marked BOT
      next to it, and signs in only with its tokens. Disabling a bot stops all of its tokens at once.</p>
    ${creationOn ? html`<${AddBot} onAdded=${() => result.reload()} />`
      : html`<p class="backstage-empty">Bot creation is off on this server (Bot account creation in the system console).</p>`}
    <${ErrorAlert} message=${result.error.value} />
    ${rows === null && !result.error.value ? html`<${Loading} />`
      : ordered.length === 0 ? html`<${EmptyList}>No bot accounts yet.<//>`
      : html`<ul class="backstage-list" aria-label="Bot accounts">
        ${ordered.map((row) => html`<${Bot} key=${row.bot.user_id} bot=${row.bot} tokens=${row.tokens}
          onChanged=${() => result.reload()} onRevoke=${(token) => (revoking.value = token)} />`)}
      </ul>`}
    ${revoking.value && html`<${ConfirmDialog} title="Revoke token" confirmLabel="Revoke" onClose=${() => (revoking.value = null)}
      onConfirm=${async () => {
        await api.post("users/tokens/revoke", { token_id: revoking.value.id });
        await result.reload();
      }}>
      <p>Revoke <strong>${revoking.value.description}</strong>? Whatever uses it is signed out at once. This cannot be undone.</p>
    <//>`}
  </section>`;
}
