// Service worker: after the first visit the notebook works with the network off.
//
// On install it precaches every file listed in sw-manifest.json (written by scripts/build.sh,
// whose `version` changes with every build). Requests are served network-first, so an online
// reader always gets the current files, and fall back to the cache when offline.
const PREFIX = "scorebook-";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const manifest = await (await fetch("sw-manifest.json", { cache: "no-store" })).json();
      const cache = await caches.open(PREFIX + manifest.version);
      await cache.addAll(manifest.files);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const manifest = await (await caches.match("sw-manifest.json").then((r) => r ?? fetch("sw-manifest.json"))).json().catch(() => null);
      const keep = manifest ? PREFIX + manifest.version : null;
      for (const key of await caches.keys()) if (key.startsWith(PREFIX) && key !== keep) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      try {
        const res = await fetch(req);
        if (res.ok) {
          const copy = res.clone();
          const keys = await caches.keys();
          const name = keys.find((k) => k.startsWith(PREFIX)) ?? PREFIX + "runtime";
          (await caches.open(name)).put(req, copy);
        }
        return res;
      } catch (err) {
        const hit = await caches.match(req, { ignoreSearch: true });
        if (hit) return hit;
        throw err;
      }
    })(),
  );
});
