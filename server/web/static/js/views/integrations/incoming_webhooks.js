// Incoming webhooks: the team's hooks, the add and edit forms (with Hubbub's CI adapters, their secret
// and event filters), and the confirm view that shows a new hook's URL once.

import { useSignal } from "@preact/signals";

import * as api from "../../api.js";
import { html } from "../../html.js";
import { navigate } from "../../router.js";
import * as store from "../../store.js";
import {
  Breadcrumb, CheckField, CodeExample, ConfirmDialog, EmptyList, ErrorAlert, Filter, FormButtons, FormSection, Item,
  Loading, PageHeader, SecretField, SelectField, TextField, channelName, consolePath, errorText, formatDate, joinList, matches,
  reveal, siteUrl, splitList, teamChannels, useLoad, useRevealed, useUsers, userName,
} from "./common.js";

const PAGE = "incoming_webhooks";
const TITLE = "Incoming Webhooks";
const ADAPTERS = [
  { value: "", label: "None: Mattermost and Slack payloads" },
  { value: "gitlab", label: "GitLab" },
  { value: "github", label: "GitHub" },
  { value: "jenkins", label: "Jenkins" },
];
const ADAPTER_NAMES = { gitlab: "GitLab", github: "GitHub", jenkins: "Jenkins" };
const SECRET_HINTS = {
  gitlab: "GitLab sends it as X-Gitlab-Token (Settings → Webhooks → Secret token).",
  github: "GitHub signs each delivery with it (X-Hub-Signature-256; the webhook's Secret).",
  jenkins: "The Notification plugin sends it as X-Jenkins-Token.",
};

export const hookUrl = (id) => `${siteUrl()}/hooks/${id}`;

export function IncomingWebhooks({ team, section, query }) {
  switch (section[0] || "") {
    case "":
      return html`<${HookList} team=${team} />`;
    case "add":
      return html`<${HookForm} team=${team} />`;
    case "edit":
      return html`<${HookForm} team=${team} hookId=${query.get("id") || ""} />`;
    case "confirm":
      return html`<${Confirmed} team=${team} />`;
    default:
      return null;
  }
}

function HookList({ team }) {
  const hooks = useLoad(() => api.get(`hooks/incoming?team_id=${team.id}&per_page=200`), [team.id]);
  const channels = useLoad(() => teamChannels(team), [team.id]);
  const term = useSignal("");
  const deleting = useSignal(null);
  const list = hooks.data.value || [];
  useUsers(list.map((h) => h.user_id));
  const shown = list.filter((h) => matches(term.value, h.display_name, h.description, channelName(channels.data.value, h.channel_id), h.adapter));
  return html`<section class="backstage-page" aria-labelledby="page-title">
    <${PageHeader} title=${TITLE}>
      <a class="button" href=${consolePath(team, PAGE, "add")}>Add Incoming Webhook</a>
    <//>
    <p class="backstage-intro">A URL that other tools post messages to: anything that speaks Mattermost's or Slack's
      webhooks, or GitLab, GitHub and Jenkins through an adapter.</p>
    <${ErrorAlert} message=${hooks.error.value || channels.error.value} />
    <${Filter} label="Search incoming webhooks" value=${term} />
    ${hooks.data.value === null && !hooks.error.value ? html`<${Loading} />`
      : shown.length === 0 ? html`<${EmptyList}>${list.length ? "No incoming webhook matches." : "No incoming webhooks yet."}<//>`
      : html`<ul class="backstage-list" aria-label=${TITLE}>
        ${shown.map((hook) => html`<${Item} key=${hook.id}
          title=${hook.display_name || channelName(channels.data.value, hook.channel_id) || "Incoming webhook"}
          tags=${[hook.adapter && { label: ADAPTER_NAMES[hook.adapter] || hook.adapter }, hook.channel_locked && { label: "Locked" }].filter(Boolean)}
          description=${hook.description}
          details=${[
            { label: "Channel", value: channelName(channels.data.value, hook.channel_id) },
            hook.username && { label: "Posts as", value: hook.username },
            hook.last_unhandled_event && { label: "Last unhandled event", value: `${hook.last_unhandled_event} (${formatDate(hook.last_unhandled_at)})` },
            { label: "Created", value: `by ${userName(hook.user_id)} on ${formatDate(hook.create_at)}` },
          ]}>
          <a href=${`${consolePath(team, PAGE, "edit")}?id=${encodeURIComponent(hook.id)}`}
            aria-label=${`Edit ${hook.display_name || "incoming webhook"}`}>Edit</a>
          <button type="button" class="link danger" aria-label=${`Delete ${hook.display_name || "incoming webhook"}`}
            onClick=${() => (deleting.value = hook)}>Delete</button>
        <//>`)}
      </ul>`}
    ${deleting.value && html`<${ConfirmDialog} title="Delete incoming webhook"
      onClose=${() => (deleting.value = null)}
      onConfirm=${async () => { await api.del(`hooks/incoming/${deleting.value.id}`); await hooks.reload(); }}>
      <p>Delete <strong>${deleting.value.display_name || "this incoming webhook"}</strong>? Anything that posts to its URL
        will be refused from now on. This cannot be undone.</p>
    <//>`}
  </section>`;
}

function emptyForm() {
  return {
    display_name: "", description: "", channel_id: "", channel_locked: false, username: "", icon_url: "",
    adapter: "", secret: "", remove_secret: false, include: "", exclude: "", failures_only: false,
  };
}

function formFrom(hook) {
  const filter = hook.event_filter || {};
  return {
    ...emptyForm(),
    display_name: hook.display_name, description: hook.description, channel_id: hook.channel_id,
    channel_locked: hook.channel_locked, username: hook.username, icon_url: hook.icon_url, adapter: hook.adapter || "",
    include: joinList(filter.include), exclude: joinList(filter.exclude), failures_only: Boolean(filter.failures_and_recoveries_only),
  };
}

function HookForm({ team, hookId = "" }) {
  const editing = Boolean(hookId);
  const form = useSignal(null);
  const error = useSignal("");
  const busy = useSignal(false);
  const channels = useLoad(() => teamChannels(team), [team.id]);
  const hook = useLoad(async () => {
    if (!editing) {
      form.value = emptyForm();
      return null;
    }
    const found = await api.get(`hooks/incoming/${encodeURIComponent(hookId)}`);
    form.value = formFrom(found);
    return found;
  }, [hookId]);
  const config = store.config.value;

  async function submit(event) {
    event.preventDefault();
    const values = form.value;
    if (!values.channel_id) {
      error.value = "Choose the channel the webhook posts to.";
      return;
    }
    busy.value = true;
    error.value = "";
    const body = {
      channel_id: values.channel_id, display_name: values.display_name.trim(), description: values.description.trim(),
      username: values.username.trim(), icon_url: values.icon_url.trim(), channel_locked: values.channel_locked,
      adapter: values.adapter,
      event_filter: { include: splitList(values.include), exclude: splitList(values.exclude), failures_and_recoveries_only: values.failures_only },
    };
    // The secret is write-only: an edit sends it only when it changes.
    if (values.remove_secret) body.secret = "";
    else if (values.secret) body.secret = values.secret;
    try {
      if (editing) {
        await api.put(`hooks/incoming/${encodeURIComponent(hookId)}`, { ...body, id: hookId });
        navigate(consolePath(team, PAGE));
      } else {
        const created = await api.post("hooks/incoming", body);
        reveal(PAGE, { hook: created, secretSet: Boolean(values.secret) });
        navigate(consolePath(team, PAGE, "confirm"));
      }
    } catch (failure) {
      error.value = errorText(failure);
      busy.value = false;
    }
  }

  const title = editing ? "Edit" : "Add";
  if (hook.error.value) {
    return html`<section class="backstage-page"><${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current=${title} />
      <${ErrorAlert} message=${hook.error.value} /></section>`;
  }
  if (!form.value || channels.data.value === null || (editing && !hook.data.value)) {
    return html`<section class="backstage-page"><${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current=${title} />
      <${ErrorAlert} message=${channels.error.value} />${!channels.error.value && html`<${Loading} />`}</section>`;
  }
  const values = form.value;
  const found = hook.data.value;
  const channelOptions = [{ value: "", label: "Choose a channel" },
    ...channels.data.value.map((c) => ({ value: c.id, label: `${c.type === "P" ? "🔒 " : ""}${c.display_name || c.name}` }))];
  return html`<section class="backstage-page">
    <${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current=${title} />
    <form class="backstage-form" onSubmit=${submit} aria-label=${`${title} incoming webhook`} novalidate>
      <${FormSection} title="Webhook">
        <${TextField} form=${form} name="display_name" label="Title" maxLength=${64} autofocus
          hint="How the list names it (up to 64 characters)." />
        <${TextField} form=${form} name="description" label="Description" maxLength=${500} hint="What the webhook is for (up to 500 characters)." />
        <${SelectField} form=${form} name="channel_id" label="Channel" required options=${channelOptions}
          hint="The channel that receives the posts; a sender may name another unless the webhook is locked." />
        <${CheckField} form=${form} name="channel_locked" label="Lock to this channel"
          hint="Refuse payloads that name another channel." />
        <${TextField} form=${form} name="username" label="Username" maxLength=${64}
          hint=${config.EnablePostUsernameOverride === "true" ? "Posts show this name instead of the owner's." : "Posts show this name once EnablePostUsernameOverride is on."} />
        <${TextField} form=${form} name="icon_url" label="Profile picture" type="url" maxLength=${1024} placeholder="https://"
          hint=${config.EnablePostIconOverride === "true" ? "The URL of the picture posts show." : "Used once EnablePostIconOverride is on; the server never fetches it."} />
      <//>
      <${FormSection} title="CI adapter">
        <${SelectField} form=${form} name="adapter" label="Adapter" options=${ADAPTERS}
          hint="An adapter turns a CI tool's own deliveries into posts with coloured status attachments." />
        ${values.adapter && html`
          <${TextField} form=${form} name="secret" label="Secret" type="password" maxLength=${255}
            hint=${`${SECRET_HINTS[values.adapter] || ""} ${editing ? (found.has_secret ? "A secret is set: leave this empty to keep it." : "No secret is set.") : "Leave it empty to accept deliveries without one."}`} />
          ${editing && found.has_secret && html`<${CheckField} form=${form} name="remove_secret" label="Remove the secret"
            hint="Accept deliveries without a secret." />`}
          <${TextField} form=${form} name="include" label="Only these events" multiline rows=${2} spellcheck=${false}
            hint="Shell-style patterns on the event name, one per line (pipeline, merge_request*, workflow_*). Empty: every event." />
          <${TextField} form=${form} name="exclude" label="Never these events" multiline rows=${2} spellcheck=${false}
            hint="Patterns of events that post nothing, one per line." />
          <${CheckField} form=${form} name="failures_only" label="Failures and recoveries only"
            hint="Pipelines, jobs, builds, workflow runs and deployments post when they fail, and when they pass after a failure." />
        `}
      <//>
      ${editing && html`<${FormSection} title="Activity">
        <dl class="item-details wide">
          <div><dt>Created</dt><dd>by ${userName(found.user_id)} on ${formatDate(found.create_at)}</dd></div>
          <div><dt>Last unhandled event</dt><dd>${found.last_unhandled_event
            ? `${found.last_unhandled_event} on ${formatDate(found.last_unhandled_at)}` : "None: the adapter rendered every event it received."}</dd></div>
        </dl>
      <//>`}
      <${ErrorAlert} message=${error.value} />
      <${FormButtons} busy=${busy.value} submitLabel=${editing ? "Save" : "Add"} cancelHref=${consolePath(team, PAGE)} />
    </form>
  </section>`;
}

function Confirmed({ team }) {
  const held = useRevealed(PAGE);
  if (!held) {
    return html`<section class="backstage-page"><${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current="Done" />
      <p>A webhook's URL is shown once, right after it is made. <a href=${consolePath(team, PAGE)}>Back to the list</a></p></section>`;
  }
  const { hook, secretSet } = held;
  const url = hookUrl(hook.id);
  const adapter = ADAPTER_NAMES[hook.adapter];
  const curl = `curl -X POST -H 'Content-Type: application/json' \\\n     -d '{"text": "Hello from **Hubbub**"}' \\\n     ${url}`;
  return html`<section class="backstage-page">
    <${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current="Done" />
    <div class="backstage-confirm-card">
      <h2>Incoming webhook added</h2>
      <p>Keep this URL to yourself: anyone who has it can post to the channel. It is shown this once.</p>
      <${SecretField} label="Webhook URL" value=${url} />
      ${adapter ? html`<p>Point ${adapter} at this URL${secretSet ? " with the secret you set" : ""}; the ${adapter} adapter renders its deliveries.</p>`
        : html`<${CodeExample} label="Try it" code=${curl} />`}
      <div class="backstage-buttons"><a class="button" href=${consolePath(team, PAGE)}>Done</a></div>
    </div>
  </section>`;
}
