// Answers every message at once: what a cold start costs before any of ECA Guard's own work
// (Chromium starts the extension process and the worker, then delivers the message).
chrome.runtime.onConnect.addListener((port) => {
  port.onMessage.addListener((m) => port.postMessage({ id: m.id, reply: { ok: true } }));
});
chrome.runtime.onMessage.addListener((_msg, _sender, sendResponse) => sendResponse({ ok: true }));
