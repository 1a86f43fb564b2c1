// Reporting > Server logs: the newest lines of GET /api/v4/logs (Mattermost's JSON log lines), fetched again
// every few seconds while the page is open and not paused, oldest at the top and newest at the bottom.
// The list follows new lines while it is scrolled to the end, and stays put when you scroll up to read.

import { useSignal } from "@preact/signals";
import { useEffect, useId, useLayoutEffect, useRef } from "preact/hooks";

import * as api from "../../api.js";
import { html } from "../../html.js";
import { ErrorAlert, PageHeader } from "./common.js";

export const POLL_MS = 5000;
const LINES = 500;
const LEVELS = ["debug", "info", "warn", "error", "fatal"];

function parse(line, index) {
  try {
    const entry = JSON.parse(line);
    if (entry && typeof entry === "object" && !Array.isArray(entry)) {
      const { timestamp = "", level = "", msg = "", caller = "", logger = "", ...rest } = entry;
      return { key: `${index}`, timestamp: String(timestamp), level: String(level).toLowerCase(), msg: String(msg),
        caller: String(caller), logger: String(logger), rest, line };
    }
  } catch {
    // Not JSON: shown as it is.
  }
  return { key: `${index}`, timestamp: "", level: "", msg: String(line), caller: "", logger: "", rest: {}, line: String(line) };
}

function LogLine({ entry }) {
  const extra = Object.entries(entry.rest);
  const levelClass = LEVELS.includes(entry.level) ? entry.level : "other";
  return html`<li class="admin-log-line">
    <span class="log-time">${entry.timestamp}</span>
    ${entry.level && html`<span class=${`log-level level-${levelClass}`}>${entry.level}</span>`}
    <span class="log-text">
      <span class="log-msg">${entry.msg}</span>
      ${(entry.logger || entry.caller) && html`<span class="log-source">${[entry.logger, entry.caller].filter(Boolean).join(" · ")}</span>`}
      ${extra.map(([key, value]) => html`<span class="log-field" key=${key}><span class="log-key">${key}:</span>${" "}
        ${typeof value === "string" && value.includes("\n") ? html`<pre>${value}</pre>` : typeof value === "string" ? value : JSON.stringify(value)}</span>`)}
    </span>
  </li>`;
}

export function LogsPage() {
  const lines = useSignal(null);
  const error = useSignal("");
  const paused = useSignal(false);
  const updated = useSignal("");
  const filter = useSignal("");
  const list = useRef(null);
  const follow = useRef(true);
  const filterId = useId();

  async function load() {
    try {
      const answer = await api.get(`logs${api.queryString({ page: 0, logs_per_page: LINES })}`);
      lines.value = (answer || []).map(parse);
      error.value = "";
      updated.value = new Date().toLocaleTimeString();
    } catch (failure) {
      error.value = failure.message;
    }
  }

  useEffect(() => {
    if (paused.value) return undefined;
    load();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") load();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [paused.value]);

  // Newest at the bottom: keep the end in view unless the reader scrolled away from it.
  useLayoutEffect(() => {
    const node = list.current;
    if (node && follow.current) node.scrollTop = node.scrollHeight;
  }, [lines.value, filter.value]);

  function onScroll(event) {
    const node = event.currentTarget;
    follow.current = node.scrollHeight - node.scrollTop - node.clientHeight < 24;
  }

  const wanted = filter.value.trim().toLowerCase();
  const shown = (lines.value || []).filter((entry) => !wanted || entry.line.toLowerCase().includes(wanted));
  return html`<${PageHeader} title="Server logs">
      <span class="muted admin-poll-state" role="status">${paused.value ? "Paused" : updated.value ? `Updated at ${updated.value}` : ""}</span>
      <button type="button" aria-pressed=${paused.value} onClick=${() => (paused.value = !paused.value)}>${paused.value ? "Resume" : "Pause"}</button>
      <button type="button" onClick=${load}>Reload</button>
    <//>
    <div class="admin-body admin-logs-body">
      <div class="admin-toolbar">
        <label class="visually-hidden" for=${filterId}>Filter log lines</label>
        <input id=${filterId} type="search" class="admin-search" placeholder="Filter log lines" value=${filter.value}
          onInput=${(e) => (filter.value = e.currentTarget.value)} />
        <span class="muted">${!lines.value ? "" : wanted ? `${shown.length} of ${lines.value.length} lines match`
          : `The newest ${lines.value.length} lines (${LINES} at most) of this server process`}</span>
      </div>
      <${ErrorAlert} message=${error.value} />
      <div class="admin-log" ref=${list} tabindex="0" role="region" aria-label="Log lines, newest last" onScroll=${onScroll}>
        ${lines.value === null && !error.value && html`<p class="muted">Loading…</p>`}
        ${lines.value && shown.length === 0 && html`<p class="muted">No log lines${wanted ? " match" : " yet"}.</p>`}
        <ol class="admin-log-lines">${shown.map((entry) => html`<${LogLine} key=${entry.key} entry=${entry} />`)}</ol>
      </div>
    </div>`;
}
