// Slack-style message attachments, as Mattermost shows them: a coloured bar, pretext, author, a title
// that is only a link when its URL is safe, Markdown text and fields (all rendered by the server), an
// image shown as a link (external images are not loaded), a footer, and the integration's buttons and menus.

import { useSignal } from "@preact/signals";

import * as api from "../api.js";
import { html, safeUrl, trustedHtml } from "../html.js";
import { navigate } from "../router.js";
import * as store from "../store.js";

const COLOURS = { good: "#3db887", warning: "#ffbc1f", danger: "#d24b4e" };

// The bar's colour comes from the sender; it becomes a class so no inline style is needed (CSP).
function colourClass(colour) {
  if (typeof colour !== "string") return "";
  const named = COLOURS[colour] ? colour : "";
  if (named) return `bar-${named}`;
  const hex = colour.trim().toLowerCase().match(/^#?([0-9a-f]{3}|[0-9a-f]{6})$/);
  if (!hex) return "";
  const full = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join("") : hex[1];
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
  if (g > r && g > b) return "bar-good";
  if (r > 150 && g > 120 && b < 100) return "bar-warning";
  if (r > g && r > b) return "bar-danger";
  return "bar-info";
}

function Rendered({ markup, className }) {
  return markup ? html`<div class=${`markdown ${className}`} dangerouslySetInnerHTML=${trustedHtml(markup)} />` : null;
}

async function runAction(post, action, selected, error) {
  error.value = "";
  try {
    const body = selected === undefined ? {} : { selected_option: selected };
    // An ephemeral post is not stored: its buttons carry the server's signed cookie instead.
    if (action.cookie) body.cookie = action.cookie;
    const answer = await api.post(`posts/${post.id}/actions/${encodeURIComponent(action.id)}`, body);
    if (answer && answer.goto_location) {
      const target = answer.goto_location;
      if (target.startsWith("/") && !target.startsWith("//")) navigate(target);
      else if (safeUrl(target)) window.open(target, "_blank", "noopener,noreferrer");
    }
  } catch (failure) {
    error.value = failure.message;
  }
}

function Actions({ post, actions }) {
  const error = useSignal("");
  const busy = useSignal("");
  if (!actions.length) return null;
  const disabled = Boolean(post.state) || post.delete_at > 0;
  async function run(action, selected) {
    busy.value = action.id;
    await runAction(post, action, selected, error);
    busy.value = "";
  }
  return html`<div class="attachment-actions">
    ${actions.map((action) => {
      if (action.type === "select") {
        const options = Array.isArray(action.options) ? action.options : [];
        return html`<label key=${action.id} class="action-menu"><span class="visually-hidden">${action.name}</span>
          <select disabled=${disabled || busy.value === action.id} aria-label=${action.name}
            onChange=${(e) => e.currentTarget.value && run(action, e.currentTarget.value)}>
            <option value="">${action.name || "Select an option"}</option>
            ${options.map((o) => html`<option key=${o.value} value=${o.value}>${o.text}</option>`)}
          </select></label>`;
      }
      const style = ["primary", "danger", "success", "good", "warning", "default"].includes(action.style) ? action.style : "default";
      return html`<button key=${action.id} type="button" class=${`action-button action-${style}`}
        disabled=${disabled || busy.value === action.id} onClick=${() => run(action)}>${action.name}</button>`;
    })}
    ${error.value && html`<p class="form-error" role="alert">${error.value}</p>`}
  </div>`;
}

export function Attachments({ post }) {
  const list = post.props && Array.isArray(post.props.attachments) ? post.props.attachments : [];
  if (!list.length) return null;
  const rendered = (post.metadata && post.metadata.hubbub_html && post.metadata.hubbub_html.attachments) || [];
  return html`<div class="attachments">
    ${list.map((attachment, index) => {
      if (!attachment || typeof attachment !== "object") return null;
      const parts = rendered[index] || {};
      const image = safeUrl(attachment.image_url);
      const actions = Array.isArray(attachment.actions) ? attachment.actions.filter((a) => a && a.id) : [];
      const fields = Array.isArray(attachment.fields) ? attachment.fields : [];
      return html`<div key=${index} class="attachment">
        <${Rendered} markup=${parts.pretext} className="attachment-pretext" />
        <div class=${`attachment-card ${colourClass(attachment.color)}`}>
          <${Rendered} markup=${parts.author} className="attachment-author" />
          <${Rendered} markup=${parts.title} className="attachment-title" />
          <${Rendered} markup=${parts.text} className="attachment-text" />
          ${fields.length > 0 && html`<div class="attachment-fields">
            ${fields.map((field, n) => field && typeof field === "object" && html`<div key=${n}
              class=${`attachment-field${field.short ? " short" : ""}`}>
              <div class="field-title">${typeof field.title === "string" ? field.title : ""}</div>
              <${Rendered} markup=${parts.fields && parts.fields[n] && parts.fields[n].value} className="field-value" />
            </div>`)}
          </div>`}
          ${image && html`<a class="attachment-image" href=${image} target="_blank" rel="noopener noreferrer nofollow">Image: ${image}</a>`}
          <${Rendered} markup=${parts.footer} className="attachment-footer" />
          <${Actions} post=${post} actions=${actions} />
        </div>
      </div>`;
    })}
  </div>`;
}

export function Reactions({ post }) {
  const reactions = (post.metadata && post.metadata.reactions) || [];
  if (!reactions.length) return null;
  const byEmoji = new Map();
  for (const reaction of reactions) {
    const entry = byEmoji.get(reaction.emoji_name) || { users: [], mine: false };
    entry.users.push(reaction.user_id);
    if (store.me.value && reaction.user_id === store.me.value.id) entry.mine = true;
    byEmoji.set(reaction.emoji_name, entry);
  }
  return html`<div class="reactions" role="group" aria-label="Reactions">
    ${[...byEmoji.entries()].map(([name, entry]) => html`<button key=${name} type="button"
      class=${`reaction${entry.mine ? " mine" : ""}`} aria-pressed=${entry.mine}
      aria-label=${`${name}, ${entry.users.length}`} onClick=${() => store.toggleReaction(post, name, entry.mine)}>
      ${store.emojiFor(name)} ${entry.users.length}</button>`)}
  </div>`;
}
