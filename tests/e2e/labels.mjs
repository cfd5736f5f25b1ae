// Labels of the fixture form per locale (tests/fixtures/pages/new-eca.mjs), for driving it.
export const L = {
  en: {
    oauth: 'Enable OAuth',
    dist: 'Distribution State',
    packaged: 'Packaged',
    local: 'Local',
    callback: 'Callback URL',
    scopes: 'OAuth Scopes',
    codeCred: 'Enable Authorization Code and Credentials Flow',
    secretWeb: 'Require secret for Web Server Flow',
    secretRefresh: 'Require secret for Refresh Token Flow',
    pkce: 'Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization Flows',
    name: 'External Client App Name',
  },
  de: {
    oauth: 'OAuth aktivieren',
    dist: 'Verteilungsstatus',
    packaged: 'Verpackt',
    local: 'Lokal',
    callback: 'Rückruf-URL',
    scopes: 'OAuth-Bereiche',
    codeCred: 'Autorisierungscode- und Anmeldeinformationsfluss aktivieren',
    secretWeb: 'Geheimnis für Webserver-Fluss anfordern',
    secretRefresh: 'Geheimnis für Aktualisierungstoken-Fluss anfordern',
    pkce: 'Proof Key for Code Exchange (PKCE)-Erweiterung für unterstützte Autorisierungsflüsse anfordern',
    name: 'Name der externen Client-App',
  },
};
