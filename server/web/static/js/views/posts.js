// The message list: history paged back on demand, each post with its author, time, text and actions.

import { useSignal } from "@preact/signals";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";

import { html, markupText, trustedHtml } from "../html.js";
import * as store from "../store.js";
import { Attachments, Reactions } from "./attachments.js";
import { FileList } from "./files.js";

const GROUP_WINDOW_MS = 5 * 60 * 1000;

// Until a picture loads (or when the server has none), the initial on a colour of the user's own.
function initialImage(user) {
  const name = user ? user.username : "?";
  const hue = [...(user ? user.id : "")].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 360, 0);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="hsl(${hue},45%,42%)"/>`
    + `<text x="16" y="21" font-family="sans-serif" font-size="15" font-weight="600" fill="#fff" text-anchor="middle">`
    + `${name.slice(0, 1).toUpperCase().replace(/[<&>]/g, "")}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export function Avatar({ user, size = 32 }) {
  return html`<img class="avatar" width=${size} height=${size} alt="" loading="lazy"
    src=${user ? `/api/v4/users/${user.id}/image?_=${user.last_picture_update || 0}` : initialImage(null)}
    onError=${(event) => { event.currentTarget.src = initialImage(user); }} />`;
}

function time(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function authorName(post) {
  const props = post.props || {};
  if (props.from_webhook === "true" && props.override_username) return props.override_username;
  return store.displayName(store.users.value[post.user_id]);
}

// The server renders Markdown once and sanitises it; a post without it shows its text as text.
export function MessageBody({ post }) {
  const rendered = post.metadata && post.metadata.hubbub_html;
  if (rendered && typeof rendered.message === "string") {
    return html`<div class="message-text markdown" dangerouslySetInnerHTML=${trustedHtml(rendered.message)} />`;
  }
  return html`<div class="message-text plain">${post.message}</div>`;
}

function ReactionPicker({ post, onDone }) {
  return html`<div class="reaction-picker" role="group" aria-label="Add a reaction">
    ${Object.entries(store.QUICK_REACTIONS).map(([name, emoji]) => html`<button key=${name} type="button" class="icon"
      aria-label=${`React with ${name}`} onClick=${() => { store.toggleReaction(post, name, false); onDone(); }}>${emoji}</button>`)}
  </div>`;
}

function PostActions({ post, onEdit, onReply }) {
  const picking = useSignal(false);
  if (post.state || post.ephemeral || (post.type && post.type.startsWith("system_"))) return null;
  const mine = store.me.value && post.user_id === store.me.value.id;
  return html`<div class=${`post-actions${picking.value ? " open" : ""}`} role="group" aria-label="Message actions">
    <button type="button" class="icon" aria-label="Add a reaction" aria-expanded=${picking.value}
      onClick=${() => (picking.value = !picking.value)}>☺</button>
    <button type="button" class="icon" aria-label="Reply" onClick=${() => onReply(post)}>Reply</button>
    ${picking.value && html`<${ReactionPicker} post=${post} onDone=${() => (picking.value = false)} />`}
    ${mine && html`<button type="button" class="icon" onClick=${() => onEdit(post)} aria-label="Edit message">Edit</button>
      <button type="button" class="icon danger" aria-label="Delete message"
        onClick=${() => window.confirm("Delete this message?") && store.deletePost(post.id)}>Delete</button>`}
  </div>`;
}

function EditBox({ post, onDone }) {
  const text = useSignal(post.message);
  const error = useSignal("");
  async function save() {
    try {
      await store.editPost(post.id, text.value);
      onDone();
    } catch (failure) {
      error.value = failure.message;
    }
  }
  return html`<form class="edit-box" onSubmit=${(e) => { e.preventDefault(); save(); }}>
    <textarea aria-label="Edit message" value=${text.value} autofocus
      onInput=${(e) => (text.value = e.currentTarget.value)}
      onKeyDown=${(e) => {
        if (e.key === "Escape") onDone();
        if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); save(); }
      }} />
    ${error.value && html`<p class="form-error" role="alert">${error.value}</p>`}
    <div class="edit-buttons"><button type="button" onClick=${onDone}>Cancel</button><button class="primary" type="submit">Save</button></div>
  </form>`;
}

function plainText(post) {
  const rendered = post.metadata && post.metadata.hubbub_html;
  return rendered && typeof rendered.message === "string" ? markupText(rendered.message) : post.message;
}

function ReplyTo({ rootId }) {
  const root = store.posts.value[rootId];
  const text = root ? plainText(root) : "";
  const snippet = text.length > 80 ? `${text.slice(0, 79)}…` : text;
  return html`<p class="reply-to">Replied to ${root ? authorName(root) : "a message"}${snippet && html`: <q>${snippet}</q>`}</p>`;
}

function Post({ post, previous, editing, onEdit, onReply }) {
  const user = store.users.value[post.user_id];
  // Consecutive posts of one author group under one header; a reply only under a post of its own thread.
  const continued = Boolean(previous) && previous.user_id === post.user_id && !post.props?.from_webhook
    && post.create_at - previous.create_at < GROUP_WINDOW_MS && !previous.type && !post.type
    && (!post.root_id || post.root_id === (previous.root_id || previous.id));
  const system = post.type && post.type.startsWith("system_");
  const classes = ["post", continued ? "continued" : "", store.highlightedPostId.value === post.id ? "highlighted" : "", system ? "system" : "", post.state ? `post-${post.state}` : ""];
  return html`<article class=${classes.join(" ")} data-post-id=${post.id} aria-label=${`${authorName(post)} at ${time(post.create_at)}`}>
    <div class="post-gutter">${continued ? html`<time class="post-time-short">${time(post.create_at)}</time>` : html`<${Avatar} user=${user} />`}</div>
    <div class="post-body">
      ${!continued && html`<header class="post-header">
        <span class="post-author">${authorName(post)}</span>
        ${(post.props?.from_webhook === "true" || post.props?.from_bot === "true" || (user && user.is_bot)) && html`<span class="tag">BOT</span>`}
        <time class="post-time" datetime=${new Date(post.create_at).toISOString()}>${time(post.create_at)}</time>
      </header>`}
      ${post.root_id && !continued && html`<${ReplyTo} rootId=${post.root_id} />`}
      ${editing ? html`<${EditBox} post=${post} onDone=${() => onEdit(null)} />` : html`<${MessageBody} post=${post} />`}
      ${post.edit_at > 0 && !editing && html`<span class="edited">(edited)</span>`}
      <${Attachments} post=${post} />
      <${FileList} files=${post.metadata && post.metadata.files} />
      <${Reactions} post=${post} />
      ${post.ephemeral && html`<span class="post-status">(Only visible to you)</span>`}
      ${post.state === "pending" && html`<span class="post-status">Sending…</span>`}
      ${post.state === "failed" && html`<span class="post-status failed" role="alert">Not sent.
        <button type="button" class="link" onClick=${() => store.retryPost(post.id)}>Retry</button></span>`}
    </div>
    ${!editing && html`<${PostActions} post=${post} onEdit=${onEdit} onReply=${onReply} />`}
  </article>`;
}

export function PostList({ channelId, editingId, onEdit, onReply }) {
  const list = store.postLists.value[channelId];
  const scroller = useRef(null);
  const stickToBottom = useRef(true);
  const loadingOlder = useSignal(false);
  const heightBefore = useRef(0);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const marked = store.highlightedPostId.value && element.querySelector(`[data-post-id="${store.highlightedPostId.value}"]`);
    if (marked) {
      marked.scrollIntoView({ block: "center" });
      stickToBottom.current = false;
      heightBefore.current = 0;
      setTimeout(() => { store.highlightedPostId.value = ""; }, 3000);
      return;
    }
    if (heightBefore.current) {
      // Older posts were added above: keep the reader where they were.
      element.scrollTop += element.scrollHeight - heightBefore.current;
      heightBefore.current = 0;
    } else if (stickToBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
  });

  useEffect(() => {
    stickToBottom.current = true;
  }, [channelId]);

  async function older() {
    if (loadingOlder.value) return;
    loadingOlder.value = true;
    heightBefore.current = scroller.current ? scroller.current.scrollHeight : 0;
    try {
      await store.loadOlderPosts(channelId);
    } finally {
      loadingOlder.value = false;
    }
  }

  function onScroll(event) {
    const element = event.currentTarget;
    stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
    if (element.scrollTop < 200 && list && list.hasOlder) older();
  }

  if (!list) return html`<div class="post-list loading" aria-busy="true">Loading messages…</div>`;
  const shown = list.order.map((id) => store.posts.value[id]).filter(Boolean);
  return html`<div class="post-list" ref=${scroller} onScroll=${onScroll}>
    ${list.hasOlder ? html`<button type="button" class="load-older" onClick=${older} disabled=${loadingOlder.value}>
      ${loadingOlder.value ? "Loading…" : "Load older messages"}</button>`
      : html`<p class="channel-intro">This is the start of the channel.</p>`}
    <div role="log" aria-live="polite" aria-label="Messages">
      ${shown.map((post, index) => html`<${Post} key=${post.id} post=${post} previous=${shown[index - 1]}
        editing=${editingId === post.id} onEdit=${(p) => onEdit(p ? p.id : null)} onReply=${onReply} />`)}
    </div>
  </div>`;
}
