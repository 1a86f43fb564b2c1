// The settings pages, generated from the configuration itself: GET /api/v4/config gives every setting in
// force (secrets masked), GET /api/v4/config/environment the ones an MM_* variable sets, and each setting
// is drawn by its JSON type: a boolean is a checkbox, a number a number field, a string a text field, a list
// of values one value a line, an object a group of its own settings, anything else JSON. Saving sends only
// what changed (PUT /api/v4/config/patch); the server validates and answers 400 naming the setting.
//
// settingsPage(["TeamSettings", ...]) makes the page for those sections; settingsPage(null) shows them all.

import { useSignal } from "@preact/signals";
import { useId, useRef } from "preact/hooks";

import * as api from "../../api.js";
import { html } from "../../html.js";
import * as store from "../../store.js";
import { ErrorAlert, Loading, Notice, PageHeader, humanize, useLoad } from "./common.js";

// Mattermost's words (admin_console/set_by_env.tsx).
export const SET_BY_ENV = "This setting has been set through an environment variable. It cannot be changed through the System Console.";
const MASK = "********************************";
const SECRET = /(Password|Secret|Salt|EncryptKey|SplitKey|DataSource|DataSourceReplicas|DataSourceSearchReplicas)$/;

// What kind of field a value gets.
function kindOf(value) {
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.every((item) => typeof item === "string" || typeof item === "number") ? "list" : "json";
  if (typeof value === "object") return "object";
  return "json";
}

// The form's text for a value, and the value back from the form's text.
function toForm(kind, value) {
  if (kind === "bool") return value;
  if (kind === "list") return value.join("\n");
  if (kind === "json") return JSON.stringify(value, null, 2);
  if (kind === "null") return "";
  return String(value);
}

function fromForm(kind, raw, original, label) {
  if (kind === "bool") return raw;
  if (kind === "string") return raw;
  if (kind === "null") return raw === "" ? null : raw;
  if (kind === "number") {
    const text = String(raw).trim();
    const number = Number(text);
    if (text === "" || !Number.isFinite(number)) throw new Error(`${label} must be a number.`);
    if (Number.isInteger(original) && !Number.isInteger(number)) throw new Error(`${label} must be a whole number.`);
    return number;
  }
  if (kind === "list") {
    const items = String(raw).split("\n").map((line) => line.trim()).filter(Boolean);
    if (original.length > 0 && original.every((item) => typeof item === "number")) {
      const numbers = items.map(Number);
      if (numbers.some((n) => !Number.isFinite(n))) throw new Error(`${label} must hold one number a line.`);
      return numbers;
    }
    return items;
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error(`${label} is not valid JSON.`);
  }
}

function valueAt(data, path) {
  return path.reduce((node, key) => (node && typeof node === "object" ? node[key] : undefined), data);
}

// The settings under `node` as rows, objects expanded into groups: [{path, kind, value}] and [{group, path}].
function flatten(node, path) {
  const rows = [];
  for (const [key, value] of Object.entries(node)) {
    const here = [...path, key];
    const kind = kindOf(value);
    if (kind === "object") rows.push({ group: true, path: here, rows: flatten(value, here) });
    else rows.push({ path: here, kind, value });
  }
  return rows;
}

function matches(filter, row) {
  if (!filter) return true;
  const wanted = filter.toLowerCase();
  const key = row.path[row.path.length - 1];
  return row.path.join(".").toLowerCase().includes(wanted) || humanize(key).toLowerCase().includes(wanted);
}

function visible(rows, filter, sectionMatches) {
  if (sectionMatches) return rows;
  const kept = [];
  for (const row of rows) {
    if (row.group) {
      const inner = matches(filter, row) ? row.rows : visible(row.rows, filter, false);
      if (inner.length) kept.push({ ...row, rows: inner });
    } else if (matches(filter, row)) {
      kept.push(row);
    }
  }
  return kept;
}

function Setting({ row, edits, env, invalid }) {
  const id = useId();
  const dotted = row.path.join(".");
  const key = row.path[row.path.length - 1];
  const label = humanize(key);
  const setByEnv = Boolean(env[row.path[0]] && env[row.path[0]][row.path[1]]) && row.path.length === 2;
  const edited = Object.prototype.hasOwnProperty.call(edits.value, dotted);
  const current = edited ? edits.value[dotted] : toForm(row.kind, row.value);
  const change = (value) => {
    const next = { ...edits.value };
    if (value === toForm(row.kind, row.value)) delete next[dotted];
    else next[dotted] = value;
    edits.value = next;
  };
  const hintId = `${id}-hint`;
  const envId = `${id}-env`;
  const described = [hintId, setByEnv ? envId : ""].filter(Boolean).join(" ");
  const common = {
    id,
    name: dotted,
    disabled: setByEnv,
    "aria-describedby": described,
    "aria-invalid": invalid === dotted ? "true" : undefined,
  };
  let control;
  if (row.kind === "bool") {
    control = html`<input type="checkbox" class="admin-checkbox" ...${common} checked=${current}
      onChange=${(e) => change(e.currentTarget.checked)} />`;
  } else if (row.kind === "number") {
    control = html`<input type="number" step=${Number.isInteger(row.value) ? "1" : "any"} ...${common} value=${current}
      onInput=${(e) => change(e.currentTarget.value)} />`;
  } else if (row.kind === "list" || row.kind === "json") {
    const lines = Math.min(8, Math.max(3, String(current).split("\n").length + 1));
    control = html`<textarea rows=${lines} spellcheck="false" ...${common} value=${current}
      onInput=${(e) => change(e.currentTarget.value)} />`;
  } else {
    const secret = SECRET.test(key) || row.value === MASK;
    control = html`<input type=${secret ? "password" : "text"} autocomplete="off" spellcheck="false" ...${common} value=${current}
      onInput=${(e) => change(e.currentTarget.value)} />`;
  }
  const help = row.kind === "list" ? "One value a line." : row.kind === "json" ? "JSON." : "";
  return html`<div class=${`admin-setting${edited ? " admin-setting-changed" : ""}${invalid === dotted ? " admin-setting-invalid" : ""}`}>
    <label class="admin-setting-label" for=${id}>${label}</label>
    <div class="admin-setting-control">
      ${control}
      <p class="admin-help" id=${hintId}><code>${dotted}</code>${help && ` · ${help}`}${edited ? " · changed, not saved yet" : ""}</p>
      ${setByEnv && html`<p class="admin-env" id=${envId}>${SET_BY_ENV}</p>`}
    </div>
  </div>`;
}

function Rows({ rows, edits, env, invalid }) {
  return rows.map((row) => (row.group
    ? html`<fieldset class="admin-group" key=${row.path.join(".")}>
        <legend>${humanize(row.path[row.path.length - 1])} <code>${row.path.join(".")}</code></legend>
        ${row.rows.length === 0 ? html`<p class="muted">No settings.</p>` : html`<${Rows} rows=${row.rows} edits=${edits} env=${env} invalid=${invalid} />`}
      </fieldset>`
    : html`<${Setting} key=${row.path.join(".")} row=${row} edits=${edits} env=${env} invalid=${invalid} />`));
}

// The nested patch {Section: {Setting: value}} from the edited dotted paths.
function buildPatch(config, edits) {
  const patch = {};
  for (const [dotted, raw] of Object.entries(edits)) {
    const path = dotted.split(".");
    const original = valueAt(config, path);
    let value;
    try {
      value = fromForm(kindOf(original), raw, original, `${humanize(path[path.length - 1])} (${dotted})`);
    } catch (failure) {
      failure.setting = dotted;
      throw failure;
    }
    let node = patch;
    for (const key of path.slice(0, -1)) node = node[key] || (node[key] = {});
    node[path[path.length - 1]] = value;
  }
  return patch;
}

export function settingsPage(sections, { intro = "" } = {}) {
  return function SettingsPage({ title }) {
    const loaded = useLoad(async () => {
      const [config, env] = await Promise.all([api.get("config"), api.get("config/environment")]);
      return { config, env: env || {} };
    }, []);
    const edits = useSignal({});
    const filter = useSignal("");
    const error = useSignal("");
    const invalid = useSignal("");
    const notice = useSignal("");
    const saving = useSignal(false);
    const filterId = useId();
    const form = useRef(null);

    const data = loaded.data.value;
    if (!data) {
      return html`<${PageHeader} title=${title} />
        <div class="admin-body"><${ErrorAlert} message=${loaded.error.value} />${!loaded.error.value && html`<${Loading} />`}</div>`;
    }
    const names = (sections || Object.keys(data.config)).filter((name) => data.config[name] && typeof data.config[name] === "object");
    const wanted = filter.value.trim();
    const shown = names
      .map((name) => {
        const sectionMatches = Boolean(wanted) && (name.toLowerCase().includes(wanted.toLowerCase())
          || humanize(name).toLowerCase().includes(wanted.toLowerCase()));
        return { name, rows: visible(flatten(data.config[name], [name]), wanted, !wanted || sectionMatches) };
      })
      .filter((section) => section.rows.length > 0);
    const changed = Object.keys(edits.value).length;

    // Marks the setting an error names and brings it into view, with the focus on it.
    function showInvalid(dotted) {
      invalid.value = dotted || "";
      requestAnimationFrame(() => {
        const field = form.current && form.current.querySelector('[aria-invalid="true"]');
        if (field) {
          field.scrollIntoView({ block: "center" });
          field.focus({ preventScroll: true });
        }
      });
    }

    async function save(event) {
      event.preventDefault();
      error.value = "";
      invalid.value = "";
      notice.value = "";
      let patch;
      try {
        patch = buildPatch(data.config, edits.value);
      } catch (failure) {
        error.value = failure.message;
        showInvalid(failure.setting);
        return;
      }
      saving.value = true;
      try {
        const config = await api.put("config/patch", patch);
        loaded.data.value = { ...data, config };
        edits.value = {};
        notice.value = "Settings saved.";
        store.config.value = await api.get("config/client?format=old");
      } catch (failure) {
        error.value = failure.message;
        const named = /for ([A-Za-z0-9_.]+):/.exec(failure.message || "");
        if (named) showInvalid(named[1]);
      } finally {
        saving.value = false;
      }
    }

    return html`<${PageHeader} title=${title} />
      <form class="admin-settings" ref=${form} onSubmit=${save} aria-labelledby="admin-page-title" novalidate>
        <div class="admin-body">
          ${intro && html`<p class="muted admin-intro">${intro}</p>`}
          <div class="admin-toolbar">
            <label class="visually-hidden" for=${filterId}>Filter settings</label>
            <input id=${filterId} type="search" class="admin-search" placeholder="Filter settings" value=${filter.value}
              onInput=${(e) => (filter.value = e.currentTarget.value)} />
          </div>
          ${shown.length === 0 && html`<p class="admin-empty">No settings match “${wanted}”.</p>`}
          ${shown.map((section) => html`<section class="admin-card admin-section" key=${section.name} aria-labelledby=${`section-${section.name}`}>
            <h2 id=${`section-${section.name}`}>${humanize(section.name)} <code class="admin-section-key">${section.name}</code></h2>
            <${Rows} rows=${section.rows} edits=${edits} env=${data.env} invalid=${invalid.value} />
          </section>`)}
        </div>
        <div class="admin-save-bar">
          <${ErrorAlert} message=${error.value} />
          <${Notice} message=${notice.value} />
          <span class="muted admin-changed">${changed ? `${changed} unsaved ${changed === 1 ? "change" : "changes"}` : ""}</span>
          <button type="button" disabled=${!changed || saving.value} onClick=${() => { edits.value = {}; error.value = ""; invalid.value = ""; }}>Discard changes</button>
          <button type="submit" class="primary" disabled=${!changed || saving.value}>${saving.value ? "Saving…" : "Save"}</button>
        </div>
      </form>`;
  };
}
