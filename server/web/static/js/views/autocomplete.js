// Suggestions while typing, as Mattermost offers them: @users, ~channels, :emoji: and /commands.
// The textarea is an ARIA 1.2 combobox; the list is a listbox whose active option it points at.

import * as api from "../api.js";
import * as store from "../store.js";

const TRIGGER = /(^|\s)([@~:])([\w.\-+]*)$/;
const COMMAND = /^\/(\S*)$/;
const LIMIT = 8;

// What the text before the caret is asking for: {kind, term, start} or null.
export function pending(text, caret) {
  const before = text.slice(0, caret);
  const command = before.match(COMMAND);
  if (command) return { kind: "command", term: command[1].toLowerCase(), start: 0 };
  const match = before.match(TRIGGER);
  if (!match) return null;
  const kind = { "@": "user", "~": "channel", ":": "emoji" }[match[2]];
  if (kind === "emoji" && match[3].length < 2) return null;
  return { kind, term: match[3].toLowerCase(), start: caret - match[3].length - 1 };
}

export async function suggestions(query, channel) {
  const teamId = store.currentTeamId.value;
  if (query.kind === "user") {
    const answer = await api.get(`users/autocomplete${api.queryString({ in_team: teamId, in_channel: channel.id, name: query.term })}`);
    const users = [...(answer.users || []), ...(answer.out_of_channel || [])].slice(0, LIMIT);
    const special = ["channel", "all", "here"].filter((name) => name.startsWith(query.term))
      .map((name) => ({ id: `special-${name}`, label: `@${name}`, detail: "Notifies everyone in the channel", insert: `@${name} ` }));
    return [...users.map((u) => ({ id: u.id, label: `@${u.username}`, detail: [u.first_name, u.last_name].filter(Boolean).join(" "), insert: `@${u.username} ` })), ...special];
  }
  if (query.kind === "channel") {
    const found = await api.get(`teams/${teamId}/channels/autocomplete${api.queryString({ name: query.term })}`);
    return found.slice(0, LIMIT).map((c) => ({ id: c.id, label: c.display_name, detail: `~${c.name}`, insert: `~${c.name} ` }));
  }
  if (query.kind === "emoji") {
    return Object.keys(store.EMOJI_NAMES).filter((name) => name.startsWith(query.term)).slice(0, LIMIT)
      .map((name) => ({ id: name, label: `${store.emojiFor(name)} :${name}:`, detail: "", insert: `:${name}: ` }));
  }
  const commands = await api.get(`teams/${teamId}/commands/autocomplete`);
  return commands.filter((c) => c.trigger.startsWith(query.term)).slice(0, LIMIT).map((c) => ({
    id: c.trigger, label: `/${c.trigger}${c.auto_complete_hint ? ` ${c.auto_complete_hint}` : ""}`,
    detail: c.auto_complete_desc || c.description || "", insert: `/${c.trigger} `,
  }));
}
