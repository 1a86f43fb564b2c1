// What the page knows, as signals, and the actions that change it through the API.
// Values are replaced, never mutated, so that every view reading a signal re-renders when it changes.

import { computed, signal } from "@preact/signals";

import * as api from "./api.js";

export const PAGE_SIZE = 60;
// A channel left open for hours keeps only its newest posts in the page; older ones page back in.
export const MAX_KEPT_POSTS = 500;

export const config = signal({});
export const me = signal(null);
export const teams = signal([]);
export const teamsLoaded = signal(false);
export const teamUnreads = signal({}); // team id -> {msg_count, mention_count}
export const currentTeamId = signal("");
export const channels = signal({}); // id -> channel
export const members = signal({}); // channel id -> my channel member
export const users = signal({}); // id -> user
export const statuses = signal({}); // user id -> online | away | dnd | offline
export const currentChannelId = signal("");
export const postLists = signal({}); // channel id -> {order: [oldest … newest], hasOlder, loaded}
export const posts = signal({}); // id -> post
export const typing = signal({}); // channel id -> {user id: expiry ms}
export const drafts = signal(loadDrafts());
export const rhs = signal(null); // {kind: "thread", rootId} | {kind: "search", terms}
export const highlightedPostId = signal(""); // a permalink's post, shown and marked once loaded

export const currentTeam = computed(() => teams.value.find((t) => t.id === currentTeamId.value) || null);
export const currentChannel = computed(() => channels.value[currentChannelId.value] || null);

const set = (store, key, value) => {
  store.value = { ...store.value, [key]: value };
};

export function isUnread(channel) {
  const member = members.value[channel.id];
  if (!member || channel.id === currentChannelId.value) return false;
  if (member.notify_props && member.notify_props.mark_unread === "mention") return false;
  return channel.total_msg_count > member.msg_count;
}

export function mentionCount(channel) {
  const member = members.value[channel.id];
  return member && channel.id !== currentChannelId.value ? member.mention_count : 0;
}

// The other member of a direct channel, from its name "<id>__<id>".
export function directPartnerId(channel) {
  if (channel.type !== "D" || !me.value) return "";
  const [first, second] = channel.name.split("__");
  return first === me.value.id ? second : first;
}

export function channelPath(team, channel) {
  if (channel.type === "D") {
    const partner = users.value[directPartnerId(channel)];
    if (partner) return `/${team.name}/messages/@${partner.username}`;
  }
  if (channel.type === "G") return `/${team.name}/messages/${channel.name}`;
  return `/${team.name}/channels/${channel.name}`;
}

export function displayName(user) {
  if (!user) return "Someone";
  const setting = config.value.TeammateNameDisplay || "username";
  const full = [user.first_name, user.last_name].filter(Boolean).join(" ");
  if (setting === "full_name" && full) return full;
  if (setting === "nickname_full_name" && (user.nickname || full)) return user.nickname || full;
  return user.username;
}

export function channelTitle(channel) {
  if (channel.type === "D") return displayName(users.value[directPartnerId(channel)]);
  if (channel.type === "G") {
    // Mattermost's group names list the members; without mine it reads as who I am talking to.
    const mine = me.value ? me.value.username : "";
    return (channel.display_name || "").split(", ").filter((name) => name && name !== mine).join(", ") || "Group message";
  }
  return channel.display_name || channel.name;
}

export async function loadSession() {
  config.value = await api.get("config/client?format=old");
  try {
    me.value = await api.get("users/me");
  } catch (error) {
    if (error.status !== 401) throw error;
    me.value = null;
  }
  if (me.value) set(users, me.value.id, me.value);
  return me.value;
}

export async function login(loginId, password, token) {
  const body = { login_id: loginId, password };
  if (token) body.token = token;
  me.value = await api.post("users/login", body);
  set(users, me.value.id, me.value);
  return me.value;
}

export async function logout() {
  try {
    await api.post("users/logout");
  } finally {
    me.value = null;
    teams.value = [];
    teamsLoaded.value = false;
    channels.value = {};
    members.value = {};
    posts.value = {};
    postLists.value = {};
  }
}

export async function loadTeams() {
  teams.value = await api.get("users/me/teams");
  teamsLoaded.value = true;
  await loadTeamUnreads();
  return teams.value;
}

export async function loadTeamUnreads() {
  try {
    const unreads = await api.get("users/me/teams/unread");
    teamUnreads.value = Object.fromEntries(unreads.map((u) => [u.team_id, u]));
  } catch (error) {
    // Older servers lack the route; the badges then stay off.
    if (error.status !== 404) throw error;
  }
}

export async function loadChannels(teamId) {
  const [list, memberships] = await Promise.all([
    api.get(`users/me/teams/${teamId}/channels`),
    api.get(`users/me/teams/${teamId}/channels/members`),
  ]);
  const byId = {};
  for (const channel of list) byId[channel.id] = channel;
  channels.value = byId;
  members.value = Object.fromEntries(memberships.map((m) => [m.channel_id, m]));
  const partners = list.map(directPartnerId).filter((id) => id && !users.value[id]);
  await loadUsers(partners);
  await loadStatuses(list.map(directPartnerId).filter(Boolean));
}

export async function loadUsers(ids) {
  const missing = [...new Set(ids)].filter((id) => id && !users.value[id]);
  if (!missing.length) return;
  const found = await api.post("users/ids", missing);
  users.value = { ...users.value, ...Object.fromEntries(found.map((u) => [u.id, u])) };
}

export async function loadStatuses(ids) {
  const wanted = [...new Set(ids)];
  if (!wanted.length) return;
  const found = await api.post("users/status/ids", wanted);
  statuses.value = { ...statuses.value, ...Object.fromEntries(found.map((s) => [s.user_id, s.status])) };
}

function addPosts(answer) {
  const found = Object.values(answer.posts || {});
  posts.value = { ...posts.value, ...answer.posts };
  return loadUsers(found.map((p) => p.user_id));
}

// The channel's newest page, or what arrived since the newest post already shown (after a reconnect).
export async function loadNewestPosts(channelId) {
  const list = postLists.value[channelId];
  const newest = list && list.order.length ? posts.value[list.order[list.order.length - 1]] : null;
  if (newest) {
    const answer = await api.get(`channels/${channelId}/posts?since=${newest.update_at}`);
    await addPosts(answer);
    const known = new Set(list.order);
    const fresh = answer.order.filter((id) => !known.has(id) && answer.posts[id].delete_at === 0);
    fresh.sort((a, b) => answer.posts[a].create_at - answer.posts[b].create_at);
    set(postLists, channelId, { ...list, order: [...list.order.filter((id) => !isDeleted(id)), ...fresh] });
    return;
  }
  const answer = await api.get(`channels/${channelId}/posts?per_page=${PAGE_SIZE}`);
  await addPosts(answer);
  set(postLists, channelId, {
    order: [...answer.order].reverse(),
    hasOlder: answer.order.length >= PAGE_SIZE,
    loaded: true,
  });
}

const isDeleted = (id) => posts.value[id] && posts.value[id].delete_at > 0;

export async function loadOlderPosts(channelId) {
  const list = postLists.value[channelId];
  if (!list || !list.hasOlder || !list.order.length) return;
  const answer = await api.get(`channels/${channelId}/posts?before=${list.order[0]}&per_page=${PAGE_SIZE}`);
  await addPosts(answer);
  const older = [...answer.order].reverse();
  set(postLists, channelId, { ...list, order: [...older, ...list.order], hasOlder: answer.order.length >= PAGE_SIZE });
}

export async function viewChannel(channelId) {
  const previous = currentChannelId.value;
  currentChannelId.value = channelId;
  if (!postLists.value[channelId]) await loadNewestPosts(channelId);
  await loadUntilShown(channelId, highlightedPostId.value);
  await markViewed(channelId, previous);
}

// A permalink's post may be older than the pages loaded: page back until it is there.
export async function loadUntilShown(channelId, postId) {
  for (let pages = 0; postId && pages < 50; pages += 1) {
    const list = postLists.value[channelId];
    if (!list || list.order.includes(postId) || !list.hasOlder) return;
    await loadOlderPosts(channelId);
  }
}

export async function loadThread(rootId) {
  const answer = await api.get(`posts/${rootId}/thread`);
  posts.value = { ...posts.value, ...answer.posts };
  await loadUsers(Object.values(answer.posts).map((p) => p.user_id));
}

export async function searchPosts(terms) {
  const answer = await api.post(`teams/${currentTeamId.value}/posts/search`, { terms, is_or_search: false, page: 0, per_page: 40 });
  posts.value = { ...posts.value, ...answer.posts };
  await loadUsers(Object.values(answer.posts).map((p) => p.user_id));
  return answer.order;
}

export async function markViewed(channelId, previous = "") {
  await api.post("channels/members/me/view", { channel_id: channelId, prev_channel_id: previous });
  const channel = channels.value[channelId];
  const member = members.value[channelId];
  if (channel && member) {
    set(members, channelId, { ...member, msg_count: channel.total_msg_count, mention_count: 0, last_viewed_at: Date.now() });
  }
  loadTeamUnreads();
}

function insertPost(post) {
  const known = posts.value[post.id];
  set(posts, post.id, post);
  if (post.pending_post_id && post.pending_post_id !== post.id && posts.value[post.pending_post_id]) {
    replacePending(post);
    return;
  }
  // Replies show in the channel too, as in Mattermost without collapsed threads.
  if (known) return;
  const list = postLists.value[post.channel_id];
  if (!list) return;
  const order = [...list.order, post.id];
  if (order.length <= MAX_KEPT_POSTS) {
    set(postLists, post.channel_id, { ...list, order });
    return;
  }
  const dropped = order.slice(0, order.length - MAX_KEPT_POSTS);
  set(postLists, post.channel_id, { ...list, order: order.slice(-MAX_KEPT_POSTS), hasOlder: true });
  const kept = { ...posts.value };
  for (const id of dropped) delete kept[id];
  posts.value = kept;
}

function replacePending(post) {
  const list = postLists.value[post.channel_id];
  if (list) {
    const order = list.order.map((id) => (id === post.pending_post_id ? post.id : id));
    set(postLists, post.channel_id, { ...list, order: [...new Set(order)] });
  }
  const { [post.pending_post_id]: _gone, ...rest } = posts.value;
  posts.value = rest;
}

// Optimistic send: the post shows at once with its pending id, which the server echoes back.
export async function sendPost(channelId, message, rootId = "", fileIds = []) {
  const pendingId = `${me.value.id}:${Date.now()}`;
  const now = Date.now();
  const draft = {
    id: pendingId, pending_post_id: pendingId, channel_id: channelId, user_id: me.value.id, message, root_id: rootId,
    create_at: now, update_at: now, edit_at: 0, delete_at: 0, props: {}, file_ids: fileIds, metadata: {}, state: "pending",
  };
  insertPost(draft);
  try {
    const saved = await api.post("posts", { channel_id: channelId, message, root_id: rootId, file_ids: fileIds, pending_post_id: pendingId });
    insertPost(saved);
    return saved;
  } catch (error) {
    set(posts, pendingId, { ...draft, state: "failed", error: error.message });
    throw error;
  }
}

export async function retryPost(pendingId) {
  const failed = posts.value[pendingId];
  const { [pendingId]: _gone, ...rest } = posts.value;
  posts.value = rest;
  const list = postLists.value[failed.channel_id];
  set(postLists, failed.channel_id, { ...list, order: list.order.filter((id) => id !== pendingId) });
  return sendPost(failed.channel_id, failed.message, failed.root_id, failed.file_ids);
}

export async function editPost(postId, message) {
  const saved = await api.put(`posts/${postId}/patch`, { message });
  set(posts, saved.id, saved);
}

export async function deletePost(postId) {
  await api.del(`posts/${postId}`);
  removePost(postId);
}

function removePost(postId) {
  const post = posts.value[postId];
  if (!post) return;
  set(posts, postId, { ...post, delete_at: Date.now() });
  const list = postLists.value[post.channel_id];
  if (list) set(postLists, post.channel_id, { ...list, order: list.order.filter((id) => id !== postId) });
}

export function saveDraft(channelId, text) {
  const next = { ...drafts.value };
  if (text) next[channelId] = text;
  else delete next[channelId];
  drafts.value = next;
  try {
    localStorage.setItem("hubbub.drafts", JSON.stringify(next));
  } catch {
    // A full or disabled storage keeps drafts for this page only.
  }
}

function loadDrafts() {
  try {
    const stored = JSON.parse(localStorage.getItem("hubbub.drafts") || "{}");
    return stored && typeof stored === "object" ? stored : {};
  } catch {
    return {};
  }
}

export async function openDirect(userId) {
  const channel = await api.post("channels/direct", [me.value.id, userId]);
  if (!channels.value[channel.id]) {
    set(channels, channel.id, channel);
    const member = await api.get(`channels/${channel.id}/members/me`);
    set(members, channel.id, member);
  }
  await loadUsers([userId]);
  return channel;
}

// The reactions offered by the quick picker, and how their names show.
export const QUICK_REACTIONS = {
  "+1": "👍", smile: "😄", heart: "❤️", tada: "🎉", white_check_mark: "✅", eyes: "👀", rocket: "🚀", "-1": "👎",
};
export const EMOJI_NAMES = {
  ...QUICK_REACTIONS, x: "❌", fire: "🔥", 100: "💯", thinking_face: "🤔", joy: "😂", warning: "⚠️",
  heavy_check_mark: "✔️", sob: "😭", wave: "👋", pray: "🙏", clap: "👏", bug: "🐛", construction: "🚧",
  sparkles: "✨", zap: "⚡", lock: "🔒", memo: "📝", calendar: "📆", coffee: "☕", thumbsup: "👍", thumbsdown: "👎",
};

export function emojiFor(name) {
  return EMOJI_NAMES[name] || `:${name}:`;
}

export async function toggleReaction(post, emojiName, mine) {
  const userId = me.value.id;
  if (mine) {
    await api.del(`users/${userId}/posts/${post.id}/reactions/${encodeURIComponent(emojiName)}`);
  } else {
    await api.post("reactions", { user_id: userId, post_id: post.id, emoji_name: emojiName });
  }
}

function applyReaction(reaction, added) {
  const post = posts.value[reaction.post_id];
  if (!post) return;
  const others = ((post.metadata && post.metadata.reactions) || []).filter(
    (r) => !(r.user_id === reaction.user_id && r.emoji_name === reaction.emoji_name),
  );
  const reactions = added ? [...others, reaction] : others;
  set(posts, post.id, { ...post, metadata: { ...post.metadata, reactions } });
}

export async function openGroup(userIds) {
  const channel = await api.post("channels/group", [me.value.id, ...userIds]);
  const member = await api.get(`channels/${channel.id}/members/me`);
  set(channels, channel.id, channel);
  set(members, channel.id, member);
  await loadUsers(userIds);
  return channel;
}

// ---- events from the socket --------------------------------------------------------------------------
const typingTimers = {};

export function handleEvent(message) {
  const data = message.data || {};
  const broadcast = message.broadcast || {};
  switch (message.event) {
    case "posted": {
      const post = JSON.parse(data.post);
      loadUsers([post.user_id]);
      const channel = channels.value[post.channel_id];
      if (channel) {
        set(channels, channel.id, { ...channel, total_msg_count: channel.total_msg_count + 1, last_post_at: post.create_at });
        const member = members.value[channel.id];
        const mentioned = data.mentions && JSON.parse(data.mentions).includes(me.value.id);
        if (member && post.user_id === me.value.id) {
          set(members, channel.id, { ...member, msg_count: member.msg_count + 1 });
        } else if (member && mentioned) {
          set(members, channel.id, { ...member, mention_count: member.mention_count + 1 });
        }
      } else if (data.channel_type === "D" || data.channel_type === "G" || post.user_id === me.value.id) {
        refreshChannel(post.channel_id);
      }
      clearTyping(post.channel_id, post.user_id);
      insertPost(post);
      if (post.channel_id === currentChannelId.value && document.visibilityState === "visible") {
        markViewed(post.channel_id);
      } else {
        loadTeamUnreads();
      }
      break;
    }
    case "post_edited":
    case "post_updated": {
      const post = JSON.parse(data.post);
      if (posts.value[post.id]) set(posts, post.id, post);
      break;
    }
    case "post_deleted":
      removePost(JSON.parse(data.post).id);
      break;
    case "ephemeral_message": {
      // Shown to this user only, and never stored: it is gone after a reload, as in Mattermost.
      const post = JSON.parse(data.post);
      insertPost({ ...post, ephemeral: true });
      break;
    }
    case "reaction_added":
    case "reaction_removed":
      applyReaction(JSON.parse(data.reaction), message.event === "reaction_added");
      break;
    case "channel_viewed": {
      const channel = channels.value[data.channel_id];
      const member = members.value[data.channel_id];
      if (channel && member) set(members, channel.id, { ...member, msg_count: channel.total_msg_count, mention_count: 0 });
      loadTeamUnreads();
      break;
    }
    case "typing":
      showTyping(broadcast.channel_id, data.user_id, data.parent_id);
      break;
    case "status_change":
      set(statuses, data.user_id, data.status);
      break;
    case "user_added":
    case "channel_created":
    case "channel_updated":
    case "channel_converted":
      if (currentTeamId.value) loadChannels(currentTeamId.value);
      break;
    case "user_removed":
      if (data.user_id === me.value.id || broadcast.user_id === me.value.id) loadChannels(currentTeamId.value);
      break;
    case "user_updated":
      if (data.user) set(users, data.user.id, data.user);
      break;
    case "added_to_team":
    case "leave_team":
      loadTeams();
      break;
    default:
      break;
  }
}

async function refreshChannel(channelId) {
  const [channel, member] = await Promise.all([api.get(`channels/${channelId}`), api.get(`channels/${channelId}/members/me`)]);
  set(channels, channel.id, channel);
  set(members, channel.id, member);
  await loadUsers([directPartnerId(channel)]);
}

function showTyping(channelId, userId, parentId) {
  if (!channelId || !me.value || userId === me.value.id) return;
  loadUsers([userId]);
  const wait = Number(config.value.TimeBetweenUserTypingUpdatesMilliseconds || 5000);
  const key = `${channelId}:${userId}`;
  clearTimeout(typingTimers[key]);
  const current = typing.value[channelId] || {};
  set(typing, channelId, { ...current, [userId]: parentId || "" });
  typingTimers[key] = setTimeout(() => clearTyping(channelId, userId), wait);
}

function clearTyping(channelId, userId) {
  const current = typing.value[channelId];
  if (!current || !(userId in current)) return;
  const { [userId]: _gone, ...rest } = current;
  set(typing, channelId, rest);
}

// After a reconnect to a new connection (a restart, or events the server no longer holds): refetch what
// the page shows, as Mattermost's webapp does.
// After an upgrade the page's code is stale: reload, at a random moment so that every open page of the
// team does not reload at once (Zulip spreads them the same way).
export const reloading = signal(false);
const RELOAD_SPREAD_MS = 60_000;

// The client's files live under a digest of their contents (/static/app/<digest>/...): a server that
// serves another digest serves other code.
async function clientChanged() {
  const digest = new URL(import.meta.url).pathname.split("/")[3];
  const shell = await fetch("/", { credentials: "same-origin" }).then((answer) => answer.text(), () => "");
  return Boolean(shell) && !shell.includes(`/static/app/${digest}/`);
}

export async function resync() {
  if (!me.value) return;
  config.value = await api.get("config/client?format=old");
  if (!reloading.value && (await clientChanged())) {
    reloading.value = true;
    setTimeout(() => window.location.reload(), Math.random() * RELOAD_SPREAD_MS);
  }
  await loadTeams();
  if (currentTeamId.value) await loadChannels(currentTeamId.value);
  const channelId = currentChannelId.value;
  if (channelId) {
    await loadNewestPosts(channelId);
    await markViewed(channelId);
  }
  const everyone = Object.keys(users.value);
  await loadStatuses(everyone);
}
