// The right-hand pane: a thread (its root and replies, with a reply box) or search results that jump to
// the message they found.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

import { html } from "../html.js";
import { navigate } from "../router.js";
import * as store from "../store.js";
import { Composer } from "./composer.js";
import { Attachments } from "./attachments.js";
import { FileList } from "./files.js";
import { Avatar, MessageBody } from "./posts.js";

export function SearchBox() {
  const terms = useSignal("");
  return html`<form role="search" class="search-box" onSubmit=${(e) => {
    e.preventDefault();
    if (terms.value.trim()) store.rhs.value = { kind: "search", terms: terms.value.trim() };
  }}>
    <input type="search" aria-label="Search messages" placeholder="Search" value=${terms.value}
      onInput=${(e) => (terms.value = e.currentTarget.value)} />
  </form>`;
}

function time(ms) {
  return new Date(ms).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

function PaneHeader({ title, detail }) {
  return html`<header class="rhs-header"><h2 id="rhs-title">${title}</h2>${detail && html`<span class="muted">${detail}</span>`}
    <button type="button" class="icon" aria-label="Close" onClick=${() => (store.rhs.value = null)}>×</button></header>`;
}

function PaneMessage({ post }) {
  const user = store.users.value[post.user_id];
  return html`<article class="rhs-post" aria-label=${`${store.displayName(user)} at ${time(post.create_at)}`}>
    <${Avatar} user=${user} />
    <div class="post-body">
      <header class="post-header"><span class="post-author">${store.displayName(user)}</span>
        <time class="post-time">${time(post.create_at)}</time></header>
      <${MessageBody} post=${post} />
      <${Attachments} post=${post} />
      <${FileList} files=${post.metadata && post.metadata.files} />
    </div>
  </article>`;
}

function Thread({ rootId, socket }) {
  const failure = useSignal("");
  useEffect(() => {
    store.loadThread(rootId).catch((e) => (failure.value = e.message));
  }, [rootId]);
  const root = store.posts.value[rootId];
  const replies = Object.values(store.posts.value)
    .filter((p) => p.root_id === rootId && p.delete_at === 0)
    .sort((a, b) => a.create_at - b.create_at);
  const channel = root && store.channels.value[root.channel_id];
  return html`<aside class="rhs" aria-labelledby="rhs-title">
    <${PaneHeader} title="Thread" detail=${channel ? store.channelTitle(channel) : ""} />
    ${failure.value && html`<p class="form-error" role="alert">${failure.value}</p>`}
    <div class="rhs-body" role="log" aria-label="Thread">
      ${root && html`<${PaneMessage} post=${root} />`}
      ${replies.length > 0 && html`<p class="reply-count">${replies.length} ${replies.length === 1 ? "reply" : "replies"}</p>`}
      ${replies.map((post) => html`<${PaneMessage} key=${post.id} post=${post} />`)}
    </div>
    ${channel && html`<${Composer} channel=${channel} socket=${socket} rootId=${rootId} label="Reply to the thread" />`}
  </aside>`;
}

function SearchResults({ team, terms }) {
  const found = useSignal(null);
  const failure = useSignal("");
  useEffect(() => {
    found.value = null;
    store.searchPosts(terms).then((order) => (found.value = order), (e) => (failure.value = e.message));
  }, [terms]);
  return html`<aside class="rhs" aria-labelledby="rhs-title">
    <${PaneHeader} title="Search results" detail=${terms} />
    ${failure.value && html`<p class="form-error" role="alert">${failure.value}</p>`}
    <div class="rhs-body">
      ${found.value === null && !failure.value && html`<p class="muted">Searching…</p>`}
      ${found.value && found.value.length === 0 && html`<p class="muted">No results for “${terms}”.</p>`}
      ${found.value && found.value.map((id) => {
        const post = store.posts.value[id];
        const channel = post && store.channels.value[post.channel_id];
        return post && html`<div key=${id} class="search-result">
          <p class="muted">${channel ? store.channelTitle(channel) : "Another channel"}</p>
          <${PaneMessage} post=${post} />
          <a class="jump" href=${`/${team.name}/pl/${id}`} onClick=${(e) => { e.preventDefault(); navigate(`/${team.name}/pl/${id}`); }}>Jump</a>
        </div>`;
      })}
    </div>
  </aside>`;
}

export function RightPane({ team, socket }) {
  const pane = store.rhs.value;
  if (pane.kind === "thread") return html`<${Thread} key=${pane.rootId} rootId=${pane.rootId} socket=${socket} />`;
  return html`<${SearchResults} team=${team} terms=${pane.terms} />`;
}
