// Desktop notifications by Mattermost's rules: not for your own posts (unless a webhook made them), system
// messages, muted channels or while Do Not Disturb; at the channel's level, else yours (all, mention,
// none), where "mention" means your id is in the event's mentions (direct messages always count); and
// only when you are not looking at that channel in a focused window.

import { navigate } from "./router.js";
import * as store from "./store.js";

const BODY_LIMIT = 50;

export function wouldNotify(post, data) {
  const me = store.me.value;
  if (!me || typeof Notification === "undefined" || Notification.permission !== "granted") return false;
  const fromWebhook = post.props && post.props.from_webhook === "true";
  if ((post.user_id === me.id && !fromWebhook) || (post.type && post.type.startsWith("system_"))) return false;
  if (store.statuses.value[me.id] === "dnd" || store.statuses.value[me.id] === "ooo") return false;
  const member = store.members.value[post.channel_id];
  const channelProps = (member && member.notify_props) || {};
  if (channelProps.mark_unread === "mention" && !mentioned(data, me)) return false;
  let level = channelProps.desktop && channelProps.desktop !== "default" ? channelProps.desktop : (me.notify_props || {}).desktop || "mention";
  if (data.channel_type === "D") level = level === "none" ? "none" : "all";
  if (level === "none" || (level === "mention" && !mentioned(data, me))) return false;
  const looking = post.channel_id === store.currentChannelId.value && document.visibilityState === "visible" && document.hasFocus();
  return !looking;
}

function mentioned(data, me) {
  try {
    return JSON.parse(data.mentions || "[]").includes(me.id);
  } catch {
    return false;
  }
}

export function notifyOfPost(post, data) {
  if (!wouldNotify(post, data)) return;
  const sender = data.sender_name || "Someone";
  const text = `${sender.startsWith("@") ? sender : `@${sender}`}: ${post.message.replace(/[*_`~#>[\]()!|]/g, "")}`;
  const title = data.channel_type === "D" ? "Direct message" : data.channel_display_name || "Hubbub";
  const notification = new Notification(title, { body: text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT - 1)}…` : text, tag: post.id });
  notification.onclick = () => {
    window.focus();
    const team = store.currentTeam.value;
    const channel = store.channels.value[post.channel_id];
    if (team && channel) navigate(store.channelPath(team, channel));
    notification.close();
  };
}

export async function askPermission() {
  if (typeof Notification === "undefined") return "unsupported";
  return Notification.requestPermission();
}
