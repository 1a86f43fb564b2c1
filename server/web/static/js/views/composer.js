// The message box: Enter sends, Shift+Enter breaks the line, Up edits your last message; files by
// button, drag-and-drop or paste; @ ~ : / suggestions; slash commands; a draft kept per channel and thread.

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

import * as api from "../api.js";
import { html } from "../html.js";
import { navigate } from "../router.js";
import * as store from "../store.js";
import { pending, suggestions } from "./autocomplete.js";
import { PendingFiles, upload } from "./files.js";

export function Composer({ channel, socket, rootId = "", onEditLast, label, dropTarget }) {
  const draftKey = rootId ? `${channel.id}:${rootId}` : channel.id;
  const text = useSignal(store.drafts.value[draftKey] || "");
  const files = useSignal([]);
  const error = useSignal("");
  const uploading = useSignal(0);
  const options = useSignal([]);
  const active = useSignal(0);
  const query = useRef(null);
  const lastTyping = useRef(0);
  const input = useRef(null);
  const picker = useRef(null);
  const listId = `suggestions-${rootId || "channel"}`;

  useEffect(() => {
    text.value = store.drafts.value[draftKey] || "";
    files.value = [];
    options.value = [];
    if (input.current) input.current.focus();
  }, [draftKey]);

  useEffect(() => {
    const target = dropTarget && dropTarget.current;
    if (!target) return undefined;
    const over = (event) => { if (event.dataTransfer.types.includes("Files")) event.preventDefault(); };
    const drop = (event) => {
      if (!event.dataTransfer.files.length) return;
      event.preventDefault();
      attach([...event.dataTransfer.files]);
    };
    target.addEventListener("dragover", over);
    target.addEventListener("drop", drop);
    return () => { target.removeEventListener("dragover", over); target.removeEventListener("drop", drop); };
  }, [dropTarget && dropTarget.current, channel.id]);

  async function attach(chosen) {
    if (!chosen.length) return;
    uploading.value += 1;
    error.value = "";
    try {
      files.value = [...files.value, ...(await upload(channel.id, chosen))];
    } catch (failure) {
      error.value = failure.message;
    } finally {
      uploading.value -= 1;
    }
  }

  async function suggest(value, caret) {
    const wanted = pending(value, caret);
    query.current = wanted;
    if (!wanted) {
      options.value = [];
      return;
    }
    try {
      const found = await suggestions(wanted, channel);
      if (query.current === wanted) {
        options.value = found;
        active.value = 0;
      }
    } catch {
      options.value = [];
    }
  }

  function choose(option) {
    const element = input.current;
    const caret = element.selectionStart;
    const start = query.current ? query.current.start : caret;
    const value = text.value.slice(0, start) + option.insert + text.value.slice(caret);
    // The element is updated at once, not on the next render: keys typed right after Enter or Tab
    // must land after the completion, not before a caret moved late.
    element.value = value;
    element.focus();
    element.selectionStart = element.selectionEnd = start + option.insert.length;
    typed(value, false);
    options.value = [];
  }

  function typed(value, withSuggestions = true) {
    text.value = value;
    store.saveDraft(draftKey, value);
    if (withSuggestions && input.current) suggest(value, input.current.selectionStart);
    const interval = Number(store.config.value.TimeBetweenUserTypingUpdatesMilliseconds || 5000);
    if (value && socket && Date.now() - lastTyping.current > interval) {
      lastTyping.current = Date.now();
      socket.send("user_typing", { channel_id: channel.id, parent_id: rootId }).catch(() => {});
    }
  }

  async function send() {
    const message = text.value.trim();
    const fileIds = files.value.map((f) => f.id);
    if ((!message && !fileIds.length) || uploading.value) return;
    text.value = "";
    files.value = [];
    store.saveDraft(draftKey, "");
    error.value = "";
    try {
      if (message.startsWith("/") && !fileIds.length) {
        const answer = await api.post("commands/execute", { channel_id: channel.id, command: message, root_id: rootId, team_id: store.currentTeamId.value });
        if (answer && answer.goto_location) navigate(answer.goto_location);
      } else {
        await store.sendPost(channel.id, message, rootId, fileIds);
      }
    } catch (failure) {
      error.value = failure.message;
      if (message.startsWith("/")) {
        text.value = message;
        store.saveDraft(draftKey, message);
      }
    }
  }

  function onKeyDown(event) {
    if (options.value.length) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        active.value = (active.value + step + options.value.length) % options.value.length;
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(options.value[active.value]);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        options.value = [];
        return;
      }
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === "ArrowUp" && !text.value && onEditLast) {
      event.preventDefault();
      onEditLast();
    }
  }

  function onPaste(event) {
    const pasted = [...(event.clipboardData ? event.clipboardData.files : [])];
    if (pasted.length) {
      event.preventDefault();
      attach(pasted);
    }
  }

  const expanded = options.value.length > 0;
  const optionId = (index) => `${listId}-${index}`;
  return html`<form class="composer" onSubmit=${(e) => { e.preventDefault(); send(); }}>
    ${error.value && html`<p class="form-error" role="alert">${error.value}</p>`}
    <${PendingFiles} files=${files.value} onRemove=${(id) => (files.value = files.value.filter((f) => f.id !== id))} />
    ${uploading.value > 0 && html`<p class="muted uploading" role="status">Uploading…</p>`}
    <div class="composer-box">
      ${expanded && html`<ul id=${listId} class="suggestions" role="listbox" aria-label="Suggestions">
        ${options.value.map((option, index) => html`<li key=${option.id} id=${optionId(index)} role="option"
          aria-selected=${index === active.value} class=${index === active.value ? "active" : ""}
          onMouseDown=${(e) => { e.preventDefault(); choose(option); }}>
          <span class="suggestion-label">${option.label}</span> <span class="muted">${option.detail}</span></li>`)}
      </ul>`}
      <textarea ref=${input} rows="1" role="combobox" aria-autocomplete="list" aria-expanded=${expanded}
        aria-controls=${expanded ? listId : undefined} aria-activedescendant=${expanded ? optionId(active.value) : undefined}
        aria-label=${label} placeholder=${label} value=${text.value}
        onInput=${(e) => typed(e.currentTarget.value)} onKeyDown=${onKeyDown} onPaste=${onPaste}
        onBlur=${() => setTimeout(() => (options.value = []), 150)} />
    </div>
    <input ref=${picker} type="file" multiple class="visually-hidden" tabIndex="-1" aria-hidden="true"
      onChange=${(e) => { attach([...e.currentTarget.files]); e.currentTarget.value = ""; }} />
    <button type="button" class="attach" aria-label="Attach files" onClick=${() => picker.current.click()}>📎</button>
    <button type="submit" class="primary send" aria-label="Send" disabled=${uploading.value > 0}>Send</button>
  </form>`;
}
