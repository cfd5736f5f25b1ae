// The page panel's side of the worker: its UI preference, and the keyboard shortcut.
//
// Preference: whether the panel is open or collapsed to its count, and which edge it docks to,
// kept across page loads in chrome.storage.local `ecaGuardPanel` (not a secret). Content scripts
// ask here: on Chromium they cannot read chrome.storage.local (pairing-store.js closes it to
// them; docs/server.md, "What is protected").
//
// Shortcut: the manifest's `commands` entry `focus-panel` (Alt+Shift+G unless the user changed
// it, chrome://extensions/shortcuts or about:addons). It is relayed to every frame of the tab;
// the frame that shows a panel opens it and moves focus into it (content/paint.js).
import '../protocol.js';

const { api, TYPES: T } = globalThis.ecaGuardProtocol;

export const PANEL_KEY = 'ecaGuardPanel';
export const FOCUS_COMMAND = 'focus-panel';
const DOCKS = ['right', 'left'];

/** Only what the panel knows: `open` (boolean) and `dock` ('right' or 'left'). */
function clean(p) {
  const out = {};
  if (p && typeof p === 'object') {
    if (typeof p.open === 'boolean') out.open = p.open;
    if (DOCKS.includes(p.dock)) out.dock = p.dock;
  }
  return out;
}

let cached = null;
// Another context may write it (an options page that resets it; the tests): read it again then.
api.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && PANEL_KEY in changes) cached = null;
});
function load() {
  if (!cached) {
    cached = api.storage.local.get(PANEL_KEY).then((r) => clean(r[PANEL_KEY]));
    cached.catch(() => (cached = null));
  }
  return cached;
}

/** `{}` reads the preference; `{prefs}` changes the keys it gives and answers the result. */
async function panelPrefs(msg) {
  const now = await load();
  if (msg.prefs === undefined) return { prefs: now };
  const next = { ...now, ...clean(msg.prefs) };
  cached = Promise.resolve(next);
  await api.storage.local.set({ [PANEL_KEY]: next });
  return { prefs: next };
}

export const handlers = {
  [T.panelPrefs]: panelPrefs,
};

/** Sends the shortcut to the frames of `tab` (the active tab when the browser gives none). */
export async function relayFocus(tab) {
  if (!tab || tab.id === undefined) [tab] = await api.tabs.query({ active: true, lastFocusedWindow: true });
  if (!tab || tab.id === undefined) return false;
  await api.tabs.sendMessage(tab.id, { type: T.focusPanel }).catch(() => {});
  return true;
}

/** What a command does. */
function onCommand(command, tab) {
  if (command === FOCUS_COMMAND) return relayFocus(tab);
  return Promise.resolve(false);
}

/** Registered at the worker's top level, so a worker woken by the shortcut hears it. */
export function watchCommands() {
  if (!api.commands || !api.commands.onCommand) return;
  api.commands.onCommand.addListener((command, tab) => void onCommand(command, tab));
}

// For the browser tests: a key press in a headless browser never reaches the browser's own
// shortcuts (CDP's key events go to the page), so tests/e2e/panel.test.mjs runs the command
// from here, the way the key press would. Only the extension's own contexts see this global.
globalThis.ecaGuardCommands = Object.freeze({ run: onCommand });
