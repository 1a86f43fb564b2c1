// Ctrl+K: find a channel or a direct message by name and go there.

import { useSignal } from "@preact/signals";

import { html } from "../html.js";
import { navigate } from "../router.js";
import * as store from "../store.js";
import { Modal } from "./modal.js";

export function Switcher({ team, onClose }) {
  const term = useSignal("");
  const active = useSignal(0);
  const wanted = term.value.trim().toLowerCase();
  const found = Object.values(store.channels.value)
    .filter((c) => c.delete_at === 0 && (store.channelTitle(c).toLowerCase().includes(wanted) || c.name.includes(wanted)))
    .sort((a, b) => b.last_post_at - a.last_post_at)
    .slice(0, 12);
  function go(channel) {
    onClose();
    navigate(store.channelPath(team, channel));
  }
  function onKeyDown(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      active.value = (active.value + step + found.length) % Math.max(found.length, 1);
    } else if (event.key === "Enter" && found[active.value]) {
      event.preventDefault();
      go(found[active.value]);
    }
  }
  return html`<${Modal} title="Find channels" onClose=${onClose}>
    <div class="switcher">
      <input role="combobox" aria-label="Find a channel" aria-expanded="true" aria-controls="switcher-list"
        aria-activedescendant=${found[active.value] ? `switch-${found[active.value].id}` : undefined}
        autofocus value=${term.value} onKeyDown=${onKeyDown}
        onInput=${(e) => { term.value = e.currentTarget.value; active.value = 0; }} />
      <ul id="switcher-list" role="listbox" aria-label="Channels">
        ${found.map((c, index) => html`<li key=${c.id} id=${`switch-${c.id}`} role="option" aria-selected=${index === active.value}
          class=${index === active.value ? "active" : ""} onClick=${() => go(c)}>${store.channelTitle(c)}
          ${c.type !== "D" && html` <span class="muted">~${c.name}</span>`}</li>`)}
      </ul>
    </div>
  <//>`;
}
