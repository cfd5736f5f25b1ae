// Labels of the fixture ECA pages per language (tests/fixtures/pages/i18n-eca.mjs), for driving
// them by what they show: the same strings the fixture renders.
import { LANGS } from '../fixtures/pages/i18n-eca.mjs';

const pick = (t) => ({
  oauth: t.enableOauth,
  dist: t.dist,
  packaged: t.packaged,
  local: t.local,
  callback: t.callback,
  scopes: t.scopes,
  clientCred: t.clientCred,
  codeCred: t.codeCred,
  jwt: t.jwt,
  certificate: t.certificate,
  device: t.device,
  tokenExchange: t.tokenExchange,
  secretWeb: t.secretWeb,
  secretRefresh: t.secretRefresh,
  pkce: t.pkce,
  rotation: t.rotation,
  jwtTokens: t.jwtTokens,
  dpop: t.dpop,
  name: t.name,
  security: t.security,
  flows: t.flows,
});

export const L = Object.fromEntries(Object.entries(LANGS).map(([lang, t]) => [lang, pick(t)]));
