// Sign-in (with the MFA code field when the account needs one), sign-up where open, and the first run:
// the first account becomes the system admin and then makes a team.

import { useSignal } from "@preact/signals";

import * as api from "../api.js";
import { html } from "../html.js";
import { navigate } from "../router.js";
import * as store from "../store.js";

function Field({ label, type = "text", value, autocomplete, autofocus = false, name }) {
  return html`<label class="field">
    <span>${label}</span>
    <input name=${name} type=${type} value=${value.value} autocomplete=${autocomplete} autofocus=${autofocus}
      onInput=${(e) => (value.value = e.currentTarget.value)} required />
  </label>`;
}

function ErrorLine({ error }) {
  return error.value ? html`<p class="form-error" role="alert">${error.value}</p>` : null;
}

export function Login({ redirect }) {
  const loginId = useSignal("");
  const password = useSignal("");
  const mfa = useSignal("");
  const needsMfa = useSignal(false);
  const error = useSignal("");
  const busy = useSignal(false);
  const config = store.config.value;
  const canSignUp = config.EnableUserCreation === "true" && config.EnableSignUpWithEmail !== "false";

  async function submit(event) {
    event.preventDefault();
    busy.value = true;
    error.value = "";
    try {
      await store.login(loginId.value.trim(), password.value, needsMfa.value ? mfa.value.trim() : "");
      navigate(redirect && redirect.startsWith("/") && !redirect.startsWith("//") ? redirect : "/", { replace: true });
    } catch (failure) {
      if (failure.id === "mfa.validate_token.authenticate.app_error" && !needsMfa.value) {
        needsMfa.value = true;
      } else {
        error.value = failure.message;
      }
    } finally {
      busy.value = false;
    }
  }

  return html`<main class="account-page">
    <form class="account-card" onSubmit=${submit} aria-labelledby="login-title">
      <h1 id="login-title">${config.SiteName || "Hubbub"}</h1>
      <p class="muted">Sign in to your team's workspace</p>
      <${Field} label="Email or username" name="login_id" value=${loginId} autocomplete="username" autofocus />
      <${Field} label="Password" name="password" type="password" value=${password} autocomplete="current-password" />
      ${needsMfa.value && html`<${Field} label="MFA code" name="mfa" value=${mfa} autocomplete="one-time-code" autofocus />`}
      <${ErrorLine} error=${error} />
      <button class="primary" type="submit" disabled=${busy.value}>Sign in</button>
      ${canSignUp && html`<p class="muted">No account yet? <a href="/signup_user_complete">Create one</a></p>`}
    </form>
  </main>`;
}

export function SignUp() {
  const email = useSignal("");
  const username = useSignal("");
  const password = useSignal("");
  const error = useSignal("");
  const busy = useSignal(false);

  async function submit(event) {
    event.preventDefault();
    busy.value = true;
    error.value = "";
    try {
      await api.post("users", { email: email.value.trim(), username: username.value.trim(), password: password.value });
      await store.login(username.value.trim(), password.value);
      navigate("/", { replace: true });
    } catch (failure) {
      error.value = failure.message;
    } finally {
      busy.value = false;
    }
  }

  return html`<main class="account-page">
    <form class="account-card" onSubmit=${submit} aria-labelledby="signup-title">
      <h1 id="signup-title">Create your account</h1>
      <p class="muted">The first account on a new server becomes its system admin.</p>
      <${Field} label="Email" name="email" type="email" value=${email} autocomplete="email" autofocus />
      <${Field} label="Username" name="username" value=${username} autocomplete="username" />
      <${Field} label="Password" name="password" type="password" value=${password} autocomplete="new-password" />
      <${ErrorLine} error=${error} />
      <button class="primary" type="submit" disabled=${busy.value}>Create account</button>
      <p class="muted">Already have one? <a href="/login">Sign in</a></p>
    </form>
  </main>`;
}

export function SelectTeam() {
  const list = store.teams.value;
  const open = useSignal(null);
  if (open.value === null) {
    api.get("teams?per_page=200").then(
      (found) => (open.value = found.filter((t) => !list.some((mine) => mine.id === t.id))),
      () => (open.value = []),
    );
  }
  async function join(team) {
    await api.post(`teams/${team.id}/members`, { team_id: team.id, user_id: store.me.value.id });
    await store.loadTeams();
    navigate(`/${team.name}/channels/town-square`);
  }
  return html`<main class="account-page">
    <section class="account-card" aria-labelledby="teams-title">
      <h1 id="teams-title">Your teams</h1>
      ${list.length === 0 && html`<p class="muted">You are not in a team yet.</p>`}
      <ul class="team-list">
        ${list.map((t) => html`<li key=${t.id}><a href=${`/${t.name}/channels/town-square`}>${t.display_name}</a></li>`)}
      </ul>
      ${open.value && open.value.length > 0 && html`<h2>Teams you can join</h2>
        <ul class="team-list">
          ${open.value.map((t) => html`<li key=${t.id}><button type="button" onClick=${() => join(t)}>Join ${t.display_name}</button></li>`)}
        </ul>`}
      <p><a class="button" href="/create_team">Create a team</a></p>
      <p><button type="button" class="link" onClick=${() => store.logout().then(() => navigate("/login"))}>Log out</button></p>
    </section>
  </main>`;
}

export function CreateTeam() {
  const displayName = useSignal("");
  const error = useSignal("");
  const busy = useSignal(false);

  async function submit(event) {
    event.preventDefault();
    busy.value = true;
    error.value = "";
    const name = displayName.value.trim().toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
    try {
      const team = await api.post("teams", { name: name.length >= 2 ? name : `team-${name}`, display_name: displayName.value.trim(), type: "O" });
      await store.loadTeams();
      navigate(`/${team.name}/channels/town-square`);
    } catch (failure) {
      error.value = failure.message;
    } finally {
      busy.value = false;
    }
  }

  return html`<main class="account-page">
    <form class="account-card" onSubmit=${submit} aria-labelledby="create-team-title">
      <h1 id="create-team-title">Create a team</h1>
      <p class="muted">A team is where your channels live. Its URL comes from its name.</p>
      <${Field} label="Team name" name="display_name" value=${displayName} autofocus />
      <${ErrorLine} error=${error} />
      <button class="primary" type="submit" disabled=${busy.value}>Create team</button>
    </form>
  </main>`;
}
