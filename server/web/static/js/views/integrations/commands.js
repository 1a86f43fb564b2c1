// Slash commands: the team's custom commands, the add and edit forms with the autocomplete fields, the
// token and signing secret shown once on create, and on edit Regenerate token and signing secret.

import { useSignal } from "@preact/signals";

import * as api from "../../api.js";
import { html } from "../../html.js";
import { navigate } from "../../router.js";
import {
  Breadcrumb, CheckField, ConfirmDialog, EmptyList, ErrorAlert, Filter, FormButtons, FormSection, Item, Loading,
  PageHeader, SecretField, SelectField, TextField, consolePath, errorText, formatDate, matches, reveal, useLoad, useRevealed,
  useUsers, userName,
} from "./common.js";

const PAGE = "commands";
const TITLE = "Slash Commands";
const METHODS = [
  { value: "P", label: "POST" },
  { value: "G", label: "GET" },
];

export function Commands({ team, section, query }) {
  switch (section[0] || "") {
    case "":
      return html`<${CommandList} team=${team} />`;
    case "add":
      return html`<${CommandForm} team=${team} />`;
    case "edit":
      return html`<${CommandForm} team=${team} commandId=${query.get("id") || ""} />`;
    case "confirm":
      return html`<${Confirmed} team=${team} />`;
    default:
      return null;
  }
}

function CommandList({ team }) {
  const commands = useLoad(() => api.get(`commands?team_id=${team.id}&custom_only=true`), [team.id]);
  const term = useSignal("");
  const deleting = useSignal(null);
  const list = (commands.data.value || []).slice().sort((a, b) => a.trigger.localeCompare(b.trigger));
  useUsers(list.map((c) => c.creator_id));
  const shown = list.filter((c) => matches(term.value, c.trigger, c.display_name, c.description, c.url));
  return html`<section class="backstage-page" aria-labelledby="page-title">
    <${PageHeader} title=${TITLE}>
      <a class="button" href=${consolePath(team, PAGE, "add")}>Add Slash Command</a>
    <//>
    <p class="backstage-intro">A <code>/trigger</code> typed in any channel of the team calls your URL; its answer is
      posted in the channel or shown to the caller alone.</p>
    <${ErrorAlert} message=${commands.error.value} />
    <${Filter} label="Search slash commands" value=${term} />
    ${commands.data.value === null && !commands.error.value ? html`<${Loading} />`
      : shown.length === 0 ? html`<${EmptyList}>${list.length ? "No slash command matches." : "No slash commands yet."}<//>`
      : html`<ul class="backstage-list" aria-label=${TITLE}>
        ${shown.map((command) => html`<${Item} key=${command.id}
          title=${`${command.display_name ? `${command.display_name} ` : ""}/${command.trigger}`}
          tags=${command.auto_complete ? [{ label: "Autocomplete" }] : []}
          description=${command.description}
          details=${[
            { label: "Request", value: `${command.method === "G" ? "GET" : "POST"} ${command.url}`, mono: true },
            command.auto_complete && { label: "Hint", value: `/${command.trigger} ${command.auto_complete_hint}`.trim() },
            command.username && { label: "Posts as", value: command.username },
            { label: "Created", value: `by ${userName(command.creator_id)} on ${formatDate(command.create_at)}` },
          ]}>
          <a href=${`${consolePath(team, PAGE, "edit")}?id=${encodeURIComponent(command.id)}`} aria-label=${`Edit /${command.trigger}`}>Edit</a>
          <button type="button" class="link danger" aria-label=${`Delete /${command.trigger}`} onClick=${() => (deleting.value = command)}>Delete</button>
        <//>`)}
      </ul>`}
    ${deleting.value && html`<${ConfirmDialog} title="Delete slash command" onClose=${() => (deleting.value = null)}
      onConfirm=${async () => { await api.del(`commands/${deleting.value.id}`); await commands.reload(); }}>
      <p>Delete <strong>/${deleting.value.trigger}</strong>? Typing it will no longer call its URL. This cannot be undone.</p>
    <//>`}
  </section>`;
}

function emptyForm() {
  return {
    display_name: "", description: "", trigger: "", url: "", method: "P", username: "", icon_url: "",
    auto_complete: false, auto_complete_hint: "", auto_complete_desc: "",
  };
}

function formFrom(command) {
  const form = emptyForm();
  for (const name of Object.keys(form)) form[name] = command[name] ?? form[name];
  return form;
}

function CommandForm({ team, commandId = "" }) {
  const editing = Boolean(commandId);
  const form = useSignal(null);
  const error = useSignal("");
  const busy = useSignal(false);
  const command = useLoad(async () => {
    if (!editing) {
      form.value = emptyForm();
      return null;
    }
    const found = await api.get(`commands/${encodeURIComponent(commandId)}`);
    form.value = formFrom(found);
    return found;
  }, [commandId]);
  const found = command.data.value;

  async function submit(event) {
    event.preventDefault();
    const values = form.value;
    busy.value = true;
    error.value = "";
    const body = {
      ...values,
      trigger: values.trigger.trim().replace(/^\/+/, ""),
      url: values.url.trim(),
      display_name: values.display_name.trim(),
      description: values.description.trim(),
      username: values.username.trim(),
      icon_url: values.icon_url.trim(),
    };
    try {
      if (editing) {
        await api.put(`commands/${encodeURIComponent(commandId)}`, { ...body, id: commandId, team_id: team.id });
        navigate(consolePath(team, PAGE));
      } else {
        const created = await api.post("commands", { ...body, team_id: team.id });
        reveal(PAGE, created);
        navigate(consolePath(team, PAGE, "confirm"));
      }
    } catch (failure) {
      error.value = errorText(failure);
      busy.value = false;
    }
  }

  const title = editing ? "Edit" : "Add";
  if (command.error.value || !form.value || (editing && !found)) {
    return html`<section class="backstage-page"><${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current=${title} />
      <${ErrorAlert} message=${command.error.value} />${!command.error.value && html`<${Loading} />`}</section>`;
  }
  const trigger = form.value.trigger.trim().replace(/^\/+/, "") || "trigger";
  return html`<section class="backstage-page">
    <${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current=${title} />
    <form class="backstage-form" onSubmit=${submit} aria-label=${`${title} slash command`} novalidate>
      <${FormSection} title="Command">
        <${TextField} form=${form} name="display_name" label="Title" maxLength=${64} autofocus hint="Up to 64 characters." />
        <${TextField} form=${form} name="description" label="Description" maxLength=${128} hint="Up to 128 characters." />
        <${TextField} form=${form} name="trigger" label="Command trigger word" required maxLength=${128} spellcheck=${false}
          hint="The word after the slash, without spaces, e.g. deploy for /deploy." />
        <${TextField} form=${form} name="url" label="Request URL" type="url" required maxLength=${1024} placeholder="https://"
          hint="Receives the caller, the channel and the text, with a token and a signature." />
        <${SelectField} form=${form} name="method" label="Request method" options=${METHODS}
          hint="POST sends the fields as a form body, GET in the query string." />
      <//>
      <${FormSection} title="Answers">
        <${TextField} form=${form} name="username" label="Response username" maxLength=${64}
          hint="The name answers are posted under (when username overrides are on)." />
        <${TextField} form=${form} name="icon_url" label="Response icon" type="url" maxLength=${1024} placeholder="https://"
          hint="The picture answers show (when icon overrides are on)." />
      <//>
      <${FormSection} title="Autocomplete">
        <${CheckField} form=${form} name="auto_complete" label="Autocomplete" hint="List the command in the / menu of the team's members." />
        ${form.value.auto_complete && html`
          <${TextField} form=${form} name="auto_complete_hint" label="Autocomplete hint" maxLength=${1024}
            hint=${`What follows the trigger, e.g. [service] [environment]: shown as /${trigger} [service] [environment].`} />
          <${TextField} form=${form} name="auto_complete_desc" label="Autocomplete description" maxLength=${1024}
            hint="One line about what the command does." />`}
      <//>
      <${ErrorAlert} message=${error.value} />
      <${FormButtons} busy=${busy.value} submitLabel=${editing ? "Save" : "Add"} cancelHref=${consolePath(team, PAGE)} />
    </form>
    ${editing && html`<${Credentials} command=${found} onToken=${(token) => (command.data.value = { ...found, token })} />`}
  </section>`;
}

function Credentials({ command, onToken }) {
  const secret = useSignal("");
  const error = useSignal("");
  const busy = useSignal(false);
  async function act(work) {
    busy.value = true;
    error.value = "";
    try {
      await work();
    } catch (failure) {
      error.value = errorText(failure);
    } finally {
      busy.value = false;
    }
  }
  const regenToken = () => act(async () => onToken((await api.put(`commands/${command.id}/regen_token`)).token));
  const regenSecret = () => act(async () => {
    secret.value = (await api.post(`commands/${command.id}/regen_signing_secret`)).signing_secret;
  });
  return html`<section class="backstage-panel" aria-labelledby="credentials-title">
    <h2 id="credentials-title">Token and signing secret</h2>
    <${SecretField} label="Token" value=${command.token} hint="Sent as Authorization: Token … with every request." />
    <div class="backstage-buttons start">
      <button type="button" disabled=${busy.value} onClick=${regenToken}>Regenerate token</button>
      <button type="button" disabled=${busy.value} onClick=${regenSecret}>Regenerate signing secret</button>
    </div>
    ${secret.value && html`<${SecretField} label="New signing secret" value=${secret.value}
      hint="Shown this once. Requests are signed with it from now on (X-Slack-Signature)." />`}
    <${ErrorAlert} message=${error.value} />
  </section>`;
}

function Confirmed({ team }) {
  const command = useRevealed(PAGE);
  if (!command) {
    return html`<section class="backstage-page"><${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current="Done" />
      <p>The signing secret is shown once, right after the command is made. <a href=${consolePath(team, PAGE)}>Back to the list</a></p></section>`;
  }
  return html`<section class="backstage-page">
    <${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current="Done" />
    <div class="backstage-confirm-card">
      <h2>Slash command /${command.trigger} added</h2>
      <p>Requests carry the token (<code>Authorization: Token …</code>) and a signature made with the signing secret
        (<code>X-Slack-Signature</code>): check it and refuse timestamps older than five minutes. The signing secret is
        shown this once.</p>
      <${SecretField} label="Token" value=${command.token} />
      <${SecretField} label="Signing secret" value=${command.signing_secret} />
      <div class="backstage-buttons"><a class="button" href=${consolePath(team, PAGE)}>Done</a></div>
    </div>
  </section>`;
}
