import { api, isLocalPath } from "./api.js";
import { showError } from "./dom.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  showError(error, "");
  const submit = document.getElementById("login-submit");
  submit.disabled = true;
  try {
    await api.login(form.username.value, form.password.value);
    // The server already reduced ?next= to a same-site path; check again before leaving.
    window.location.assign(isLocalPath(form.dataset.next) ? form.dataset.next : "/map");
  } catch (err) {
    showError(
      error,
      err.status === 429 ? "Too many attempts: wait a minute and try again." : err.status === 401 ? "Wrong user name or password." : `Login failed: ${err.message}`,
    );
    submit.disabled = false;
  }
});
