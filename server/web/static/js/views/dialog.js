// Interactive dialogs: an integration opens one (the `open_dialog` event); the answers go to
// /actions/dialogs/submit, and the integration's `errors` show beside their fields.

import { signal, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

import * as api from "../api.js";
import { html } from "../html.js";
import * as store from "../store.js";

export const openDialog = signal(null); // {url, dialog, channelId, teamId}

export function showDialog(data) {
  let shown;
  try {
    shown = JSON.parse(data.dialog);
  } catch {
    return;
  }
  if (!shown || !shown.dialog) return;
  openDialog.value = { url: shown.url, dialog: shown.dialog, channelId: store.currentChannelId.value, teamId: store.currentTeamId.value };
}

function initialValue(element) {
  if (element.type === "bool") return element.default === "true";
  return element.default || "";
}

function Element({ element, value, error }) {
  const id = `dialog-${element.name}`;
  const label = `${element.display_name}${element.optional ? " (optional)" : ""}`;
  const described = [element.help_text ? `${id}-help` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const set = (v) => (value.value = { ...value.value, [element.name]: v });
  const current = value.value[element.name];
  let control;
  if (element.type === "textarea") {
    control = html`<textarea id=${id} placeholder=${element.placeholder} value=${current} aria-describedby=${described}
      aria-invalid=${Boolean(error)} onInput=${(e) => set(e.currentTarget.value)} />`;
  } else if (element.type === "bool") {
    control = html`<input id=${id} type="checkbox" checked=${current} aria-describedby=${described} onChange=${(e) => set(e.currentTarget.checked)} />`;
  } else if (element.type === "select" || element.type === "radio") {
    const options = element.options || [];
    control = element.type === "radio"
      ? html`<div role="radiogroup" aria-labelledby=${`${id}-label`}>${options.map((o) => html`<label class="check" key=${o.value}>
          <input type="radio" name=${element.name} value=${o.value} checked=${current === o.value} onChange=${() => set(o.value)} /> ${o.text}</label>`)}</div>`
      : html`<select id=${id} value=${current} aria-describedby=${described} onChange=${(e) => set(e.currentTarget.value)}>
          <option value="">${element.placeholder || "Select an option"}</option>
          ${options.map((o) => html`<option key=${o.value} value=${o.value}>${o.text}</option>`)}</select>`;
  } else {
    const type = { email: "email", number: "number", tel: "tel", url: "url", password: "password" }[element.subtype] || "text";
    control = html`<input id=${id} type=${type} placeholder=${element.placeholder} value=${current} aria-describedby=${described}
      aria-invalid=${Boolean(error)} onInput=${(e) => set(e.currentTarget.value)} />`;
  }
  return html`<div class="field">
    <label id=${`${id}-label`} for=${id}><span>${label}</span></label>
    ${control}
    ${element.help_text && html`<p id=${`${id}-help`} class="muted">${element.help_text}</p>`}
    ${error && html`<p id=${`${id}-error`} class="form-error">${error}</p>`}
  </div>`;
}

export function Dialog() {
  const shown = openDialog.value;
  const ref = useRef(null);
  const values = useSignal({});
  const errors = useSignal({});
  const failure = useSignal("");
  useEffect(() => {
    if (!shown) return;
    values.value = Object.fromEntries((shown.dialog.elements || []).map((e) => [e.name, initialValue(e)]));
    errors.value = {};
    failure.value = "";
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, [shown]);
  if (!shown) return null;
  const dialog = shown.dialog;

  async function send(cancelled) {
    const submission = {};
    for (const element of dialog.elements || []) {
      const value = values.value[element.name];
      if (element.type === "bool" || value !== "") submission[element.name] = value;
    }
    try {
      const answer = await api.post("actions/dialogs/submit", {
        url: shown.url, callback_id: dialog.callback_id, state: dialog.state, channel_id: shown.channelId,
        team_id: shown.teamId, submission: cancelled ? {} : submission, cancelled,
      });
      if (!cancelled && answer && (answer.errors || answer.error)) {
        errors.value = answer.errors || {};
        failure.value = answer.error || "";
        return;
      }
      openDialog.value = null;
    } catch (error) {
      failure.value = error.message;
    }
  }

  function close() {
    if (dialog.notify_on_cancel) send(true);
    else openDialog.value = null;
  }

  return html`<dialog ref=${ref} class="modal interactive-dialog" aria-labelledby="interactive-dialog-title"
    onCancel=${(e) => { e.preventDefault(); close(); }}>
    <header><h2 id="interactive-dialog-title">${dialog.title}</h2>
      <button type="button" class="icon" aria-label="Close" onClick=${close}>×</button></header>
    <form onSubmit=${(e) => { e.preventDefault(); send(false); }}>
      ${dialog.introduction_text && html`<p class="muted">${dialog.introduction_text}</p>`}
      ${(dialog.elements || []).map((element) => html`<${Element} key=${element.name} element=${element} value=${values} error=${errors.value[element.name]} />`)}
      ${failure.value && html`<p class="form-error" role="alert">${failure.value}</p>`}
      <div class="modal-buttons"><button type="button" onClick=${close}>Cancel</button>
        <button class="primary" type="submit">${dialog.submit_label || "Submit"}</button></div>
    </form>
  </dialog>`;
}
