// Reporting > Site statistics: the rows of GET /api/v4/analytics/old?name=standard as cards, with
// Mattermost's titles (a row the server adds later shows under its own name), and the per-day rows of
// the last 31 days as bar charts.

import { html } from "../../html.js";
import { ErrorAlert, Loading, PageHeader, humanize, useLoad } from "./common.js";
import * as api from "../../api.js";

const TITLES = {
  unique_user_count: "Total active users",
  inactive_user_count: "Deactivated users",
  bot_account_count: "Bot accounts",
  team_count: "Total teams",
  channel_open_count: "Public channels",
  channel_private_count: "Private channels",
  post_count: "Total posts",
  daily_active_users: "Daily active users",
  monthly_active_users: "Monthly active users",
  total_websocket_connections: "WebSocket connections",
  total_master_db_connections: "Master database connections",
  total_read_db_connections: "Replica database connections",
};
const GROUPS = [
  { title: "People and content", names: ["unique_user_count", "inactive_user_count", "bot_account_count", "team_count", "channel_open_count", "channel_private_count", "post_count"] },
  { title: "Activity", names: ["daily_active_users", "monthly_active_users"] },
  { title: "Server", names: ["total_websocket_connections", "total_master_db_connections", "total_read_db_connections"] },
];

const format = (value) => (typeof value === "number" ? value.toLocaleString() : String(value));

function Card({ row }) {
  return html`<li class="admin-stat">
    <span class="admin-stat-title">${TITLES[row.name] || humanize(row.name)}</span>
    <span class="admin-stat-value">${format(row.value)}</span>
  </li>`;
}

const DAY_CHARTS = [
  { name: "post_counts_day", title: "Total posts" },
  { name: "bot_post_counts_day", title: "Posts by bots" },
  { name: "user_counts_with_posts_day", title: "Active users with posts" },
];

// The server leaves out days without posts and answers newest first; the chart shows every day, oldest
// first, so that gaps read as quiet days.
function everyDay(rows) {
  const byDay = Object.fromEntries(rows.map((row) => [row.name, row.value]));
  const days = [];
  const today = new Date();
  for (let back = 30; back >= 0; back -= 1) {
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - back));
    const name = day.toISOString().slice(0, 10);
    days.push({ name, value: byDay[name] || 0 });
  }
  return days;
}

function DayChart({ title, rows }) {
  const days = everyDay(rows);
  const highest = Math.max(1, ...days.map((day) => day.value));
  const total = days.reduce((sum, day) => sum + day.value, 0);
  return html`<figure class="admin-chart">
    <figcaption><span class="admin-stat-title">${title}</span> <span class="muted">${format(total)} in 31 days</span></figcaption>
    <ol class="admin-chart-bars" aria-label=${title}>
      ${days.map((day) => html`<li key=${day.name} class="admin-chart-day" title=${`${day.name}: ${format(day.value)}`}>
        <span class="admin-chart-bar" style=${{ height: `${(day.value / highest) * 100}%` }}></span>
        <span class="visually-hidden">${day.name}: ${format(day.value)}</span>
      </li>`)}
    </ol>
    <div class="admin-chart-axis muted" aria-hidden="true"><span>${days[0].name}</span><span>${days[days.length - 1].name}</span></div>
  </figure>`;
}

function DayCharts() {
  const charts = useLoad(() => Promise.all(DAY_CHARTS.map((chart) => api.get(`analytics/old?name=${chart.name}`))), []);
  const answers = charts.data.value;
  return html`<section class="admin-stat-group" aria-label="Last 31 days">
    <h2>Last 31 days</h2>
    <${ErrorAlert} message=${charts.error.value} />
    ${answers && html`<div class="admin-charts">
      ${DAY_CHARTS.map((chart, index) => html`<${DayChart} key=${chart.name} title=${chart.title} rows=${answers[index]} />`)}
    </div>`}
  </section>`;
}

export function StatsPage() {
  const stats = useLoad(() => api.get("analytics/old?name=standard"), []);
  const rows = stats.data.value;
  // Mattermost answers -1 for a number it does not count here.
  const byName = Object.fromEntries((rows || []).filter((row) => row.value !== -1).map((row) => [row.name, row]));
  const known = new Set(GROUPS.flatMap((group) => group.names));
  const others = Object.values(byName).filter((row) => !known.has(row.name));
  const groups = [...GROUPS, { title: "Other", names: others.map((row) => row.name) }]
    .map((group) => ({ title: group.title, rows: group.names.map((name) => byName[name]).filter(Boolean) }))
    .filter((group) => group.rows.length > 0);
  return html`<${PageHeader} title="Site statistics">
      <button type="button" onClick=${stats.reload}>Reload</button>
    <//>
    <div class="admin-body">
      <${ErrorAlert} message=${stats.error.value} />
      ${rows === null && !stats.error.value && html`<${Loading} />`}
      ${groups.map((group) => html`<section class="admin-stat-group" key=${group.title} aria-label=${group.title}>
        <h2>${group.title}</h2>
        <ul class="admin-stats">${group.rows.map((row) => html`<${Card} key=${row.name} row=${row} />`)}</ul>
      </section>`)}
      ${rows && html`<${DayCharts} />`}
      ${rows && html`<p class="muted admin-footnote">Connections are this server process's; deactivated accounts and bots are not counted as active users.</p>`}
    </div>`;
}
