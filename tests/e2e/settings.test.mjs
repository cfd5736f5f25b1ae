// How the worker merges the user's settings (storage.local) with an enterprise policy
// (storage.managed): key by key, parameters one by one, custom packs by id. Pure function, no
// browser needed (extension/worker/settings.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { merge } from '../../extension/worker/settings.js';

const pack = (id) => ({ id, name: id, sources: [], rules: {} });

test('no policy: the user settings, with only the parameters the core accepts', () => {
  const { config, managed } = merge(
    {
      pack: 'veeam-eca',
      // A pack's own choice (client) is text under a lower-camel name; anything else is dropped.
      params: { callbackUrls: ['https://a', 7], salesforceIdp: true, client: 'claude', region: 7, 'Bad-Name': 'x', constructor: {} },
      customPacks: [pack('p1')],
    },
    null
  );
  assert.deepEqual(config, {
    pack: 'veeam-eca',
    params: { callbackUrls: ['https://a'], salesforceIdp: true, client: 'claude' },
    customPacks: [pack('p1')],
  });
  assert.deepEqual(managed, { pack: false, params: [], customPacks: [] });
});

test('a policy overrides key by key and says what it fixes', () => {
  const { config, managed } = merge(
    { pack: 'veeam-eca', params: { callbackUrls: ['https://user'], salesforceIdp: true }, customPacks: [pack('p1'), pack('p2')] },
    { pack: 'delphix-crt-eca', params: { salesforceIdp: false, environment: 'preview' }, customPacks: [JSON.stringify(pack('p2')), '{not json'] }
  );
  assert.equal(config.pack, 'delphix-crt-eca');
  assert.deepEqual(config.params, { callbackUrls: ['https://user'], salesforceIdp: false, environment: 'preview' });
  assert.deepEqual(config.customPacks.map((p) => p.id), ['p2', 'p1'], 'the policy pack wins over the user pack of the same id');
  assert.deepEqual(managed, { pack: true, params: ['salesforceIdp', 'environment'], customPacks: ['p2'] });
});

test('nothing stored at all: an empty pack, which the worker reports as "choose the integration"', () => {
  assert.deepEqual(merge(undefined, undefined).config, { pack: '', params: {}, customPacks: [] });
});
