// Registers the service worker that makes the notebook work offline after the first visit.
// Only the notebook's own pages import this; a widget embedded on another site never registers
// a worker there.
if ("serviceWorker" in navigator && location.protocol !== "file:") {
  navigator.serviceWorker.register(new URL("../sw.js", import.meta.url), { scope: new URL("../", import.meta.url).pathname }).catch((e) => {
    console.warn(`offline support unavailable: ${e.message}`);
  });
}
