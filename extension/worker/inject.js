// Loads ECA Guard's content scripts into one frame, when its detector (content/detect.js, the
// only script the manifest puts in every frame) found a page ECA Guard handles there: pages
// with nothing to check never pay for the readers and the painter (docs/ARCHITECTURE.md,
// "Loading into a page"). The frame is the sender's own, never one the message names, and the
// files are ours: a content script can only have its own frame loaded, once more at most.
import '../protocol.js';
import { GuardError } from './errors.js';

const { api, TYPES: T } = globalThis.ecaGuardProtocol;

/** In this order, in the frame's isolated world, after protocol.js and content/detect.js. */
export const CONTENT_SCRIPTS = [
  'content/dom.js',
  'content/labels.js',
  'content/readers/lwc.js',
  'content/readers/eca-detail.js',
  'content/readers/classic.js',
  'content/readers/session-settings.js',
  'content/readers/network-access.js',
  'content/readers/connected-app.js',
  'content/readers/new-eca.js',
  'content/marks.js',
  'content/panel-layout.js',
  'content/panel-style.js',
  'content/panel-list.js',
  'content/panel-progress.js',
  'content/export-buttons.js',
  'content/paint.js',
  'content/panel-view.js',
  'content/perf.js',
  'content/main.js',
  'content/outline.js',
  'content/credentials.js',
];
/** The marks' styles for classic pages (content/marks.js adopts its own into Lightning's roots). */
export const CONTENT_CSS = ['content/classic-marks.css'];

async function loadContent(_msg, sender) {
  const tabId = sender.tab && sender.tab.id;
  if (typeof tabId !== 'number' || typeof sender.frameId !== 'number') throw new GuardError('BadMessage', 'No frame to load ECA Guard into.');
  // Chromium names the document that asked, so a frame that navigated meanwhile is not loaded
  // with scripts meant for its previous page; Firefox has frame ids only.
  const target = sender.documentId ? { tabId, documentIds: [sender.documentId] } : { tabId, frameIds: [sender.frameId] };
  try {
    await Promise.all([api.scripting.insertCSS({ target, files: CONTENT_CSS }), api.scripting.executeScript({ target, files: CONTENT_SCRIPTS })]);
  } catch (e) {
    // The frame went away (navigated, closed) before the scripts reached it.
    throw new GuardError('Gone', `ECA Guard could not load into this frame (${String((e && e.message) || e)}).`);
  }
  return {};
}

export const handlers = {
  [T.loadContent]: loadContent,
};
