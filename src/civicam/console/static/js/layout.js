// Shared by every signed-in page: the log-out button and the UNMASKED banner.
import { api } from "./api.js";
import { probe } from "./dom.js";

const button = document.getElementById("logout");
if (button) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api.logout();
    } catch (err) {
      // Even a failed call ends here: the login page is the safe place to be.
      console.warn("logout", err.message);
    }
    window.location.assign("/login");
  });
}

/** Show or hide the UNMASKED banner. */
function setUnmasked(on) {
  const banner = document.getElementById("unmasked-banner");
  if (banner) banner.hidden = !on;
  probe.unmasked = !!on;
}

// An unmask grant can start or end in another tab: ask whenever this page is shown.
async function refreshMe() {
  try {
    const me = await api.me();
    setUnmasked(me.unmasked === true);
    probe.me = { name: me.name, role: me.role };
  } catch (err) {
    console.warn("me", err.message);
  }
}
refreshMe();
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refreshMe();
});
