// A custom pack for the browser tests of the newer settings: each rule asks for the opposite of
// what the fixture form starts with (or what the fixture app "bad" has), so every setting that is
// read shows up as a mark with its rule id, and goes when it is fixed.
const rule = (expect) => ({ expect, source: 'test' });
export const NEW_SETTINGS = {
  id: 'test-new-settings',
  name: 'Newer settings (test pack)',
  vendor: 'ECA Guard tests',
  covers: 'the fixture pages',
  checked: '2026-12-01',
  description: 'Asks for every newer setting, for the browser tests.',
  appType: 'eca',
  params: {},
  sources: [{ id: 'test', title: 'ECA Guard test pack', url: 'https://example.com/eca-guard-test-pack' }],
  notes: [],
  rules: {
    oauthEnabled: rule(true),
    clientCredentialsFlow: rule(false),
    jwtBearerFlow: rule(true),
    deviceFlow: rule(false),
    tokenExchangeFlow: rule(false),
    refreshTokenRotation: rule(true),
    jwtAccessTokens: rule(true),
    dpop: rule(true),
    permittedUsers: { expect: ['AdminApprovedPreAuthorized'], source: 'test' },
    refreshTokenPolicy: { expect: ['SpecificLifetime'], source: 'test' },
    refreshTokenIdleLimit: rule(true),
  },
};
export const settingsFor = (pack) => ({ pack: pack.id, params: {}, customPacks: [pack] });
