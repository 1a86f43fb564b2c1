// Personal access tokens (Mattermost keeps them in the profile): the user's tokens, a new one made with a
// description and shown once on this page, disable and enable, revoke with a confirmation.

import { useSignal } from "@preact/signals";

import * as api from "../../api.js";
import { html } from "../../html.js";
import * as store from "../../store.js";
import { ConfirmDialog, EmptyList, ErrorAlert, Loading, PageHeader, SecretField, TextField, errorText, useLoad } from "./common.js";

const TITLE = "Personal Access Tokens";

export function PersonalAccessTokens() {
  const me = store.me.value;
  const tokens = useLoad(() => api.get(`users/${me.id}/tokens?per_page=200`), [me.id]);
  const form = useSignal({ description: "" });
  const made = useSignal(null); // the create answer: its token is shown until the page is left
  const error = useSignal("");
  const busy = useSignal(false);
  const revoking = useSignal(null);

  async function create(event) {
    event.preventDefault();
    error.value = "";
    busy.value = true;
    try {
      made.value = await api.post(`users/${me.id}/tokens`, { description: form.value.description.trim() });
      form.value = { description: "" };
      await tokens.reload();
    } catch (failure) {
      error.value = errorText(failure);
    } finally {
      busy.value = false;
    }
  }

  async function setActive(token, active) {
    error.value = "";
    try {
      await api.post(`users/tokens/${active ? "enable" : "disable"}`, { token_id: token.id });
      await tokens.reload();
    } catch (failure) {
      error.value = errorText(failure);
    }
  }

  const list = tokens.data.value || [];
  return html`<section class="backstage-page" aria-labelledby="page-title">
    <${PageHeader} title=${TITLE} />
    <p class="backstage-intro">A token works like your password for scripts and tools: send it
      as <code>Authorization: Bearer …</code>. It can do whatever you can, so give each tool its own and revoke it when the
      tool is gone.</p>
    <form class="backstage-form backstage-panel" onSubmit=${create} aria-label="Create a token" novalidate>
      <h2>Create a token</h2>
      <${TextField} form=${form} name="description" label="Token description" required maxLength=${255}
        hint="What it is for, e.g. the deploy script on ci-runner-3." />
      <${ErrorAlert} message=${error.value} />
      <div class="backstage-buttons start"><button class="primary" type="submit" disabled=${busy.value}>Create token</button></div>
    </form>
    ${made.value && html`<div class="backstage-confirm-card" aria-labelledby="made-title">
      <h2 id="made-title">Token created: copy it now</h2>
      <p>This is the only time the token is shown: Hubbub keeps only a hash of it.</p>
      <${SecretField} label="Access token" value=${made.value.token} />
      <p class="muted">Token id: <span class="mono">${made.value.id}</span></p>
      <div class="backstage-buttons start"><button type="button" onClick=${() => (made.value = null)}>Done</button></div>
    </div>`}
    <${ErrorAlert} message=${tokens.error.value} />
    ${tokens.data.value === null && !tokens.error.value ? html`<${Loading} />`
      : list.length === 0 ? html`<${EmptyList}>No tokens yet.<//>`
      : html`<ul class="backstage-list" aria-label="Your tokens">
        ${list.map((token) => html`<li class="backstage-item" key=${token.id}>
          <div class="item-main">
            <h2 class="item-title">${token.description}
              <span class=${`item-tag ${token.is_active ? "" : "warning"}`}>${token.is_active ? "Active" : "Disabled"}</span></h2>
            <dl class="item-details"><div><dt>Token id</dt><dd class="mono">${token.id}</dd></div></dl>
          </div>
          <div class="item-actions">
            <button type="button" class="link" onClick=${() => setActive(token, !token.is_active)}
              aria-label=${`${token.is_active ? "Disable" : "Enable"} ${token.description}`}>${token.is_active ? "Disable" : "Enable"}</button>
            <button type="button" class="link danger" onClick=${() => (revoking.value = token)}
              aria-label=${`Revoke ${token.description}`}>Revoke</button>
          </div>
        </li>`)}
      </ul>`}
    ${revoking.value && html`<${ConfirmDialog} title="Revoke token" confirmLabel="Revoke" onClose=${() => (revoking.value = null)}
      onConfirm=${async () => {
        await api.post("users/tokens/revoke", { token_id: revoking.value.id });
        if (made.value && made.value.id === revoking.value.id) made.value = null;
        await tokens.reload();
      }}>
      <p>Revoke <strong>${revoking.value.description}</strong>? Whatever uses it is signed out at once. This cannot be undone.</p>
    <//>`}
  </section>`;
}
