// Outgoing webhooks: the team's hooks, the add and edit forms, the token and signing secret shown once on
// create, and on edit Hubbub's extras: regenerate the token or the signing secret, switch a hook the
// delivery engine turned off back on, send a test, and the delivery log with every attempt and Redeliver.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import * as api from "../../api.js";
import { html } from "../../html.js";
import { navigate } from "../../router.js";
import * as store from "../../store.js";
import {
  Breadcrumb, ConfirmDialog, EmptyList, ErrorAlert, Filter, FormButtons, FormSection, Item, Loading, PageHeader,
  SecretField, SelectField, TextField, channelName, consolePath, errorText, formatDate, joinList, matches, reveal, splitList,
  teamChannels, teamUsers, useLoad, useRevealed, useUsers, userName,
} from "./common.js";

const PAGE = "outgoing_webhooks";
const TITLE = "Outgoing Webhooks";
const CONTENT_TYPES = [
  { value: "application/x-www-form-urlencoded", label: "application/x-www-form-urlencoded" },
  { value: "application/json", label: "application/json" },
];
const TRIGGER_WHEN = [
  { value: "0", label: "First word matches a trigger word exactly" },
  { value: "1", label: "First word starts with a trigger word" },
];
const STATES = { pending: "Pending", delivered: "Delivered", failed: "Failed", cancelled: "Cancelled" };
const POLL_MS = 1500;

export function OutgoingWebhooks({ team, section, query }) {
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
  const hooks = useLoad(() => api.get(`hooks/outgoing?team_id=${team.id}&per_page=200`), [team.id]);
  const channels = useLoad(() => teamChannels(team, { publicOnly: true }), [team.id]);
  const term = useSignal("");
  const deleting = useSignal(null);
  const list = hooks.data.value || [];
  useUsers(list.map((h) => h.creator_id));
  const shown = list.filter((h) => matches(term.value, h.display_name, h.description, h.trigger_words.join(" "),
    h.callback_urls.join(" "), channelName(channels.data.value, h.channel_id)));
  return html`<section class="backstage-page" aria-labelledby="page-title">
    <${PageHeader} title=${TITLE}>
      <a class="button" href=${consolePath(team, PAGE, "add")}>Add Outgoing Webhook</a>
    <//>
    <p class="backstage-intro">Sends posts that start with a trigger word (or every post of a channel) to your URLs,
      signed, retried until they are delivered, and posts the answer back.</p>
    <${ErrorAlert} message=${hooks.error.value || channels.error.value} />
    <${Filter} label="Search outgoing webhooks" value=${term} />
    ${hooks.data.value === null && !hooks.error.value ? html`<${Loading} />`
      : shown.length === 0 ? html`<${EmptyList}>${list.length ? "No outgoing webhook matches." : "No outgoing webhooks yet."}<//>`
      : html`<ul class="backstage-list" aria-label=${TITLE}>
        ${shown.map((hook) => html`<${Item} key=${hook.id} title=${hook.display_name || hook.trigger_words.join(", ") || "Outgoing webhook"}
          tags=${hook.disabled_reason ? [{ label: "Disabled", kind: "warning" }] : []}
          description=${hook.description}
          details=${[
            { label: "Content type", value: hook.content_type },
            { label: "Channel", value: hook.channel_id ? channelName(channels.data.value, hook.channel_id) : "Any public channel" },
            { label: "Trigger words", value: hook.trigger_words.join(", ") },
            hook.trigger_words.length > 0 && { label: "Trigger when", value: TRIGGER_WHEN[hook.trigger_when]?.label },
            { label: "Callback URLs", value: hook.callback_urls.join(", "), mono: true },
            hook.disabled_reason && { label: "Switched off", value: hook.disabled_reason },
            { label: "Created", value: `by ${userName(hook.creator_id)} on ${formatDate(hook.create_at)}` },
          ]}>
          <a href=${`${consolePath(team, PAGE, "edit")}?id=${encodeURIComponent(hook.id)}`}
            aria-label=${`Edit ${hook.display_name || "outgoing webhook"}`}>Edit</a>
          <button type="button" class="link danger" aria-label=${`Delete ${hook.display_name || "outgoing webhook"}`}
            onClick=${() => (deleting.value = hook)}>Delete</button>
        <//>`)}
      </ul>`}
    ${deleting.value && html`<${ConfirmDialog} title="Delete outgoing webhook" onClose=${() => (deleting.value = null)}
      onConfirm=${async () => { await api.del(`hooks/outgoing/${deleting.value.id}`); await hooks.reload(); }}>
      <p>Delete <strong>${deleting.value.display_name || "this outgoing webhook"}</strong>? Posts will no longer be sent to
        its URLs and deliveries still queued are dropped. This cannot be undone.</p>
    <//>`}
  </section>`;
}

function emptyForm() {
  return {
    display_name: "", description: "", content_type: CONTENT_TYPES[0].value, channel_id: "", trigger_words: "",
    trigger_when: "0", callback_urls: "", username: "", icon_url: "", creator_id: store.me.value.id,
  };
}

function formFrom(hook) {
  return {
    display_name: hook.display_name, description: hook.description, content_type: hook.content_type || CONTENT_TYPES[0].value,
    channel_id: hook.channel_id, trigger_words: joinList(hook.trigger_words), trigger_when: String(hook.trigger_when || 0),
    callback_urls: joinList(hook.callback_urls), username: hook.username, icon_url: hook.icon_url, creator_id: hook.creator_id,
  };
}

function HookForm({ team, hookId = "" }) {
  const editing = Boolean(hookId);
  const form = useSignal(null);
  const error = useSignal("");
  const busy = useSignal(false);
  const channels = useLoad(() => teamChannels(team, { publicOnly: true }), [team.id]);
  const members = useLoad(() => (editing ? Promise.resolve([]) : teamUsers(team)), [team.id, editing]);
  const hook = useLoad(async () => {
    if (!editing) {
      form.value = emptyForm();
      return null;
    }
    const found = await api.get(`hooks/outgoing/${encodeURIComponent(hookId)}`);
    form.value = formFrom(found);
    return found;
  }, [hookId]);
  const found = hook.data.value;
  useUsers(found ? [found.creator_id] : []);

  async function submit(event) {
    event.preventDefault();
    const values = form.value;
    busy.value = true;
    error.value = "";
    const body = {
      display_name: values.display_name.trim(), description: values.description.trim(), content_type: values.content_type,
      channel_id: values.channel_id, trigger_words: splitList(values.trigger_words), trigger_when: Number(values.trigger_when),
      callback_urls: splitList(values.callback_urls), username: values.username.trim(), icon_url: values.icon_url.trim(),
    };
    try {
      if (editing) {
        const saved = await api.put(`hooks/outgoing/${encodeURIComponent(hookId)}`, { ...body, id: hookId });
        hook.data.value = saved;
        navigate(consolePath(team, PAGE));
      } else {
        const created = await api.post("hooks/outgoing", { ...body, team_id: team.id, creator_id: values.creator_id });
        reveal(PAGE, created);
        navigate(consolePath(team, PAGE, "confirm"));
      }
    } catch (failure) {
      error.value = errorText(failure);
      busy.value = false;
    }
  }

  const title = editing ? "Edit" : "Add";
  const problem = hook.error.value || channels.error.value || members.error.value;
  if (problem || !form.value || channels.data.value === null || members.data.value === null || (editing && !found)) {
    return html`<section class="backstage-page"><${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current=${title} />
      <${ErrorAlert} message=${problem} />${!problem && html`<${Loading} />`}</section>`;
  }
  const config = store.config.value;
  const channelOptions = [{ value: "", label: "Any public channel (trigger words needed)" },
    ...channels.data.value.map((c) => ({ value: c.id, label: c.display_name || c.name }))];
  const creatorOptions = members.data.value.map((u) => ({ value: u.id, label: `@${u.username}` }));
  return html`<section class="backstage-page">
    <${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current=${title} />
    ${editing && found.disabled_reason && html`<${Reenable} hook=${found} onDone=${(saved) => (hook.data.value = saved)} />`}
    <form class="backstage-form" onSubmit=${submit} aria-label=${`${title} outgoing webhook`} novalidate>
      <${FormSection} title="Webhook">
        <${TextField} form=${form} name="display_name" label="Title" maxLength=${64} autofocus hint="Up to 64 characters." />
        <${TextField} form=${form} name="description" label="Description" maxLength=${500} hint="What the webhook is for (up to 500 characters)." />
        <${SelectField} form=${form} name="content_type" label="Content type" options=${CONTENT_TYPES}
          hint="How the post is sent to the callback URLs: a form or a JSON object." />
        <${SelectField} form=${form} name="channel_id" label="Channel" options=${channelOptions}
          hint="Only public channels: a webhook would otherwise tell its URL what a private channel says." />
        <${TextField} form=${form} name="trigger_words" label="Trigger words" multiline rows=${3} spellcheck=${false}
          hint="One per line. A post whose first word is one of them is sent; with none, every post of the channel is." />
        <${SelectField} form=${form} name="trigger_when" label="Trigger when" options=${TRIGGER_WHEN} />
        <${TextField} form=${form} name="callback_urls" label="Callback URLs" multiline rows=${3} required spellcheck=${false}
          hint="One http(s) URL per line; each receives every triggered post." />
      <//>
      <${FormSection} title="Answers">
        ${editing ? html`<div class="backstage-field"><span class="field-label">Creator</span>
            <div class="backstage-control"><p class="field-value">${userName(found.creator_id)}</p>
              <p class="field-hint">Answers are posted as the creator, chosen when the webhook was made.</p></div></div>`
          : html`<${SelectField} form=${form} name="creator_id" label="Post answers as" options=${creatorOptions}
            hint="The member of the team the callbacks' answers are posted as." />`}
        <${TextField} form=${form} name="username" label="Username" maxLength=${64}
          hint=${config.EnablePostUsernameOverride === "true" ? "Answers show this name instead of the creator's." : "Answers show this name once EnablePostUsernameOverride is on."} />
        <${TextField} form=${form} name="icon_url" label="Profile picture" type="url" maxLength=${1024} placeholder="https://"
          hint=${config.EnablePostIconOverride === "true" ? "The URL of the picture answers show." : "Used once EnablePostIconOverride is on."} />
      <//>
      <${ErrorAlert} message=${error.value} />
      <${FormButtons} busy=${busy.value} submitLabel=${editing ? "Save" : "Add"} cancelHref=${consolePath(team, PAGE)} />
    </form>
    ${editing && html`<${Credentials} hook=${found} onChange=${(saved) => (hook.data.value = saved)} />`}
    ${editing && html`<${DeliveryLog} hook=${found} />`}
  </section>`;
}

function Reenable({ hook, onDone }) {
  const error = useSignal("");
  async function enable() {
    try {
      onDone(await api.put(`hooks/outgoing/${hook.id}`, { id: hook.id, disabled_reason: "" }));
    } catch (failure) {
      error.value = errorText(failure);
    }
  }
  return html`<div class="backstage-banner warning">
    <p><strong>This webhook is switched off.</strong> ${hook.disabled_reason}</p>
    <button type="button" class="primary" onClick=${enable}>Re-enable</button>
    <${ErrorAlert} message=${error.value} />
  </div>`;
}

function Credentials({ hook, onChange }) {
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
  const regenToken = () => act(async () => onChange(await api.post(`hooks/outgoing/${hook.id}/regen_token`)));
  const regenSecret = () => act(async () => {
    const answer = await api.post(`hooks/outgoing/${hook.id}/regen_signing_secret`);
    secret.value = answer.signing_secret;
    const { signing_secret: _shown, ...rest } = answer;
    onChange(rest);
  });
  return html`<section class="backstage-panel" aria-labelledby="credentials-title">
    <h2 id="credentials-title">Token and signing secret</h2>
    <${SecretField} label="Token" value=${hook.token} hint="Sent in every request's body: it says which webhook is calling." />
    <div class="backstage-buttons start">
      <button type="button" disabled=${busy.value} onClick=${regenToken}>Regenerate token</button>
      <button type="button" disabled=${busy.value} onClick=${regenSecret}>Regenerate signing secret</button>
    </div>
    ${secret.value && html`<${SecretField} label="New signing secret" value=${secret.value}
      hint="Shown this once. Requests are signed with it from now on (X-Slack-Signature)." />`}
    <${ErrorAlert} message=${error.value} />
  </section>`;
}

function DeliveryLog({ hook }) {
  const log = useLoad(() => api.get(`hooks/outgoing/${hook.id}/deliveries?per_page=50`), [hook.id]);
  const error = useSignal("");
  const notice = useSignal("");
  const deliveries = log.data.value || [];
  const pending = deliveries.some((d) => d.state === "pending");

  // While anything is on its way, the log follows it.
  useEffect(() => {
    if (!pending) return undefined;
    const timer = setInterval(() => log.reload(), POLL_MS);
    return () => clearInterval(timer);
  }, [pending]);

  async function act(work, done) {
    error.value = "";
    notice.value = "";
    try {
      await work();
      notice.value = done;
      await log.reload();
    } catch (failure) {
      error.value = errorText(failure);
    }
  }
  const sendTest = () => act(() => api.post(`hooks/outgoing/${hook.id}/test`), "A test request is on its way to every callback URL.");
  const redeliver = (delivery) => act(() => api.post(`hooks/outgoing/${hook.id}/deliveries/${delivery.id}/redeliver`), "Sent again.");

  return html`<section class="backstage-panel" aria-labelledby="deliveries-title">
    <div class="panel-heading">
      <h2 id="deliveries-title">Deliveries</h2>
      <button type="button" onClick=${sendTest}>Send test</button>
      <button type="button" onClick=${() => log.reload()}>Refresh</button>
    </div>
    <p class="muted">The newest first. Tokens and signatures are redacted; answers are cut at 2 KiB.</p>
    <p class="muted" role="status">${notice.value}</p>
    <${ErrorAlert} message=${error.value || log.error.value} />
    ${log.data.value === null ? !log.error.value && html`<${Loading} />`
      : deliveries.length === 0 ? html`<${EmptyList}>Nothing sent yet. Post a trigger word, or send a test.<//>`
      : html`<ul class="delivery-list" aria-label="Deliveries">
        ${deliveries.map((d) => html`<${Delivery} key=${d.id} delivery=${d} onRedeliver=${() => redeliver(d)} />`)}
      </ul>`}
  </section>`;
}

function Delivery({ delivery, onRedeliver }) {
  const summary = [
    delivery.attempts === 1 ? "1 attempt" : `${delivery.attempts} attempts`,
    delivery.last_status ? `HTTP ${delivery.last_status}` : "",
    delivery.state === "pending" && delivery.next_attempt_at ? `next at ${formatDate(delivery.next_attempt_at)}` : "",
  ].filter(Boolean).join(" · ");
  return html`<li class="delivery">
    <details>
      <summary>
        <span class=${`delivery-state state-${delivery.state}`}>${STATES[delivery.state] || delivery.state}</span>
        <span class="delivery-when">${formatDate(delivery.create_at)}</span>
        <span class="delivery-url mono">${delivery.url}</span>
        <span class="muted">${summary}</span>
      </summary>
      ${delivery.last_error && html`<p class="delivery-error">${delivery.last_error}</p>`}
      ${delivery.attempt_log.length === 0 ? html`<p class="muted">Not tried yet.</p>`
        : delivery.attempt_log.map((a) => html`<${Attempt} key=${a.number} attempt=${a} />`)}
    </details>
    <button type="button" class="redeliver" onClick=${onRedeliver} aria-label=${`Redeliver the delivery of ${formatDate(delivery.create_at)}`}>Redeliver</button>
  </li>`;
}

// JSON bodies are shown indented; anything else as it was sent.
function readable(body) {
  try {
    const parsed = JSON.parse(body);
    return parsed && typeof parsed === "object" ? JSON.stringify(parsed, null, 2) : body;
  } catch {
    return body;
  }
}

const headerLines = (headers) => Object.entries(headers || {}).map(([name, value]) => `${name}: ${value}`).join("\n");

function Attempt({ attempt }) {
  const request = attempt.request || {};
  const response = attempt.response || {};
  const outcome = attempt.status_code ? `HTTP ${attempt.status_code}` : attempt.error || "no answer";
  return html`<div class="attempt">
    <h3>Attempt ${attempt.number}: ${outcome} in ${attempt.latency_ms} ms, ${formatDate(attempt.started_at)}</h3>
    ${attempt.error && attempt.status_code ? html`<p class="delivery-error">${attempt.error}</p>` : null}
    <div class="attempt-columns">
      <div>
        <h4>Request</h4>
        <pre class="exchange">${`${request.method || "POST"} ${request.url || ""}\n${headerLines(request.headers)}\n\n${readable(request.body || "")}`}</pre>
      </div>
      <div>
        <h4>Answer</h4>
        <pre class="exchange">${attempt.status_code ? `${headerLines(response.headers)}\n\n${readable(response.body || "")}` : "(none)"}</pre>
      </div>
    </div>
  </div>`;
}

function Confirmed({ team }) {
  const hook = useRevealed(PAGE);
  if (!hook) {
    return html`<section class="backstage-page"><${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current="Done" />
      <p>The signing secret is shown once, right after the webhook is made. <a href=${consolePath(team, PAGE)}>Back to the list</a></p></section>`;
  }
  return html`<section class="backstage-page">
    <${Breadcrumb} team=${team} page=${PAGE} title=${TITLE} current="Done" />
    <div class="backstage-confirm-card">
      <h2>Outgoing webhook added</h2>
      <p>Every request carries the token in its body and is signed with the signing secret
        (<code>X-Slack-Signature: v0=HMAC-SHA256("v0:" + timestamp + ":" + body)</code>). Check the signature before
        you trust a request. The signing secret is shown this once.</p>
      <${SecretField} label="Token" value=${hook.token} />
      <${SecretField} label="Signing secret" value=${hook.signing_secret} />
      <div class="backstage-buttons"><a class="button" href=${consolePath(team, PAGE)}>Done</a></div>
    </div>
  </section>`;
}
