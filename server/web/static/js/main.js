// The page: loads the session, opens the socket once signed in, and shows what the URL names.

import { effect, signal } from "@preact/signals";
import { render } from "preact";
import { useEffect } from "preact/hooks";

import { html } from "./html.js";
import { notifyOfPost } from "./notify.js";
import { location$, navigate, onLinkClick, parseRoute } from "./router.js";
import { Socket } from "./socket.js";
import * as store from "./store.js";
import { CreateTeam, Login, SelectTeam, SignUp } from "./views/account.js";
import { AdminConsole } from "./views/admin/index.js";
import { Chat } from "./views/chat.js";
import { Integrations } from "./views/integrations/index.js";
import { Dialog, showDialog } from "./views/dialog.js";

const ready = signal(false);
const failure = signal("");
const socket = signal(null);

function startSocket() {
  if (socket.value) return;
  socket.value = new Socket({
    onEvent: (message) => {
      if (message.event === "open_dialog") showDialog(message.data);
      else store.handleEvent(message);
      if (message.event === "posted") notifyOfPost(JSON.parse(message.data.post), message.data);
    },
    onResync: (why) => {
      if (why === "restart") store.resync().catch(() => {});
    },
  });
  socket.value.connect();
}

function stopSocket() {
  if (socket.value) socket.value.stop();
  socket.value = null;
}

async function boot() {
  try {
    const me = await store.loadSession();
    if (me) {
      await store.loadTeams();
      startSocket();
    }
  } catch (error) {
    failure.value = `Hubbub cannot be reached: ${error.message}`;
  }
  ready.value = true;
}

function landing() {
  if (!store.teamsLoaded.value) return "/";
  const first = store.teams.value[0];
  return first ? `/${first.name}/channels/town-square` : "/select_team";
}

function App() {
  const route = parseRoute(location$.value);
  const me = store.me.value;

  useEffect(() => {
    if (me) {
      store.loadTeams().then(startSocket);
    } else {
      stopSocket();
    }
  }, [me && me.id]);

  if (!ready.value) return html`<p class="boot">Loading Hubbub…</p>`;
  if (failure.value) return html`<main class="account-page"><p role="alert">${failure.value}</p></main>`;
  const publicPage = route.page === "login" || route.page === "signup_user_complete";
  if (!me && !publicPage) {
    const redirect = route.page === "root" ? "" : `?redirect_to=${encodeURIComponent(location$.value)}`;
    navigate(`/login${redirect}`, { replace: true });
    return null;
  }
  if (me && publicPage) {
    navigate(route.query.get("redirect_to") || landing(), { replace: true });
    return null;
  }
  switch (route.page) {
    case "login":
      return html`<${Login} redirect=${route.query.get("redirect_to") || ""} />`;
    case "signup_user_complete":
      return html`<${SignUp} />`;
    case "root":
      if (!store.teamsLoaded.value) return html`<p class="boot">Loading Hubbub…</p>`;
      navigate(landing(), { replace: true });
      return null;
    case "select_team":
      return html`<${SelectTeam} />`;
    case "create_team":
      return html`<${CreateTeam} />`;
    case "team":
    case "channel":
    case "messages":
    case "permalink":
      return html`<${Chat} route=${route} socket=${socket.value} /><${Dialog} />`;
    case "integrations":
      return html`<${Integrations} route=${route} />`;
    case "admin":
      return html`<${AdminConsole} route=${route} />`;
    default:
      return html`<main class="account-page"><h1>Page not found</h1><p><a href="/">Go to your channels</a></p></main>`;
  }
}

// Mentions of the reader stand out; the rule names them, so it changes with who is signed in.
const mentionRule = new CSSStyleSheet();
document.adoptedStyleSheets = [...document.adoptedStyleSheets, mentionRule];
effect(() => {
  const me = store.me.value;
  mentionRule.replaceSync(me
    ? `.markdown .mention[data-mention="${CSS.escape(me.username.toLowerCase())}"], .markdown .mention-special { background: var(--highlight); color: #16439f; border-radius: 2px; }`
    : "");
});

document.addEventListener("click", onLinkClick);
document.addEventListener("visibilitychange", () => {
  const channelId = store.currentChannelId.value;
  if (document.visibilityState === "visible" && channelId) store.markViewed(channelId).catch(() => {});
});
boot();
render(html`<${App} />`, document.getElementById("root"));
