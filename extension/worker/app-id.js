// Which app a send is for: the name the server files the credentials under (docs/server.md,
// "Records"), and what `eca-guard-server get --app` is later given. It is never the app's label
// from the page header: page text is hostile, and a label such as `Veeam" $(touch x) "` would
// end up in a command the admin pastes into a shell. It is, in this order:
// - the record id in the SENDER frame's address (the ECA's detail pages carry it in the path,
//   the legacy Connected App pages in `applicationId=` or `id=`), which the page cannot change
//   without navigating to another app's page;
// - else the app's API Name as the page shows it, if it has an API name's shape.
// Anything else is refused before sealing; the core refuses the same shapes (docs/server.md).

/** A Salesforce record id: 15 or 18 characters, key prefix first (`0xIfj0000009EQL`). */
export const RECORD_ID = /^[0-9][A-Za-z0-9]{14}([A-Za-z0-9]{3})?$/;
/** A Salesforce API name: a letter, then letters, digits and underscores, at most 80. */
export const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
/** A lower-case DNS host name (the org's API host, from the sender's address). */
export const API_HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

const ECA_PATH = /^\/lightning\/setup\/ManageExternalClientApplication\/([^/]+)(?:\/|$)/;
const CONNECTED_APP_PATH = /^\/app\/mgmt\/forceconnectedapps\//;

/** The record id in a frame's address, or null. */
export function appIdFromUrl(url) {
  let u;
  try {
    u = new URL(url);
  } catch (_) {
    return null;
  }
  const eca = u.pathname.match(ECA_PATH);
  if (eca) return RECORD_ID.test(eca[1]) ? eca[1] : null;
  if (CONNECTED_APP_PATH.test(u.pathname)) {
    for (const p of ['applicationId', 'id']) {
      const v = u.searchParams.get(p);
      if (v && RECORD_ID.test(v)) return v;
    }
  }
  return null;
}

/** `{app, from}` for a send from `sender` (its frame's URL) with the page's `apiName`, or null. */
export function appOf(sender, apiName) {
  const id = appIdFromUrl(sender && sender.url);
  if (id) return { app: id, from: 'address' };
  if (typeof apiName === 'string' && API_NAME.test(apiName)) return { app: apiName, from: 'api-name' };
  return null;
}

/**
 * The app's label from the page, for showing as text only: one line, at most 120 characters,
 * without control or bidirectional-override characters (which could make it read as something
 * else next to the org and key it is shown with).
 */
export function shownLabel(v) {
  if (typeof v !== 'string') return '';
  const t = v.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 119)}…` : t;
}
