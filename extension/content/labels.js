// ECA Guard content script: the labels Setup shows, per language, for the page readers. One file,
// English first; every label with its source (docs/salesforce-dom.md, "Labels by language" lists
// them and the structural facts used where no label is known). Never a guessed translation: a
// language without sourced labels is read by what does not depend on language (readers/lwc.js,
// "structural") and its page is marked `labelsUnknown`.
//
// Sources are URLs or repository paths; "public code, id N" is a file of the search index that
// names neither (docs/salesforce-dom.md says how to open it again). "INFERENCE" marks an English
// wording no public source quotes (the reader accepts it; docs/salesforce-dom.md says why).
(() => {
  'use strict';
  const g = (globalThis.ecaGuard = globalThis.ecaGuard || {});
  if (g.labels) return;

  const S = {
    ptc: 'https://support.ptc.com/help/servicemaxcore/en/articles/service_board/creating-external-client-app-for-serviceboard-sso.html',
    sfdx: 'https://developer.salesforce.com/docs/atlas.en-us.262.0.sfdx_dev.meta/sfdx_dev/sfdx_dev_auth_eca.htm',
    sec208: 'https://developer.salesforce.com/docs/atlas.en-us.208.0.securityImplGuide.meta/securityImplGuide/admin_sessions.htm',
    snap: 'https://docs-snaplogic.atlassian.net/wiki/pages/diffpagesbyversion.action?pageId=2524119052&selectedPageVersions=10&selectedPageVersions=11',
    cobalt: 'https://docs.gocobalt.io/resources/integration-providers/salesforce_overview',
    unleash: 'https://help.unleash.so/docs/salesforce-oauth-app',
    alter: 'https://docs-staging.alterauth.dev/reference/oauth-providers/salesforce/',
    celigo: 'https://docs.celigo.com/hc/en-us/articles/18151112514587-Whitelist-IP-addresses-in-Salesforce',
    tbl: 'https://trailblazers.salesforce.com/answers?id=90630000000gzuTAAQ',
    lbc: 'npm lightning-base-components@1.28.15-alpha: scopedImports/@salesforce-label-LightningControl.true.js / .false.js',
    splunk: 'public code, id 56778887468 (Splunk SOAR Salesforce connector docs)',
    perm: 'dda-derek-wendell/Documentation: _entries/0800_connectedapp.md (Connected App)',
    tyo: 'tyoshikawa1106/salesforce-api-playground: docs/setup/salesforce-integration-client-credentials.md (commit db0fba7ddc49)',
    nehan: 'https://octopus.nehan.io/connection/%E3%81%9D%E3%81%AE%E4%BB%96%E3%82%B5%E3%83%BC%E3%83%93%E3%82%B9/salesforce',
    cdata: 'https://cdn.cdata.com/help/RFM/jp/odbc/pg_oauthcustomappcreate.htm',
    bell: 'https://support.bell-sales.ai/faqs/672589608c7b9b4ebdf7ce91',
    onogoro: 'https://onogoro.co.jp/media/ip-restriction',
    dom1: 'INFERENCE: docs/salesforce-dom.md, "Labels by language" (wording from walkthrough steps, not a screen)',
  };
  const id = (n) => `public code, id ${n}`;

  /** [text, source] pairs; the first of a field is what "could not read" notes name. */
  const DATA = {
    en: {
      fields: {
        name: [['External Client App Name', S.ptc], ['Connected App Name', S.snap]],
        apiName: [['API Name', S.ptc]],
        contactEmail: [['Contact Email', S.ptc]],
        distributionState: [['Distribution State', S.ptc]],
        oauthEnabled: [['Enable OAuth', S.sfdx], ['Enable OAuth Settings', S.snap]],
        callbackUrl: [['Callback URL', S.sfdx]],
        scopes: [['Selected OAuth Scopes', S.ptc], ['OAuth Scopes', S.sfdx], ['Available OAuth Scopes', S.ptc]],
        clientCredentialsFlow: [['Enable Client Credentials Flow', id(57479204099)]],
        clientCredentialsUser: [['Run As (Username)', id(54083274015)], ['Run As', S.splunk]],
        codeCredentialsFlow: [['Enable Authorization Code and Credentials Flow', id(57479204099)]],
        jwtBearerFlow: [['Enable JWT Bearer Flow', S.sfdx]],
        jwtBearerCertificate: [['Certificate', S.dom1]],
        deviceFlow: [['Enable Device Flow', id(57479204099)]],
        tokenExchangeFlow: [['Enable Token Exchange Flow', S.cobalt]],
        requireSecretWebServer: [['Require secret for Web Server Flow', id(57479204099)], ['Require Secret for Web Server Flow', S.unleash]],
        requireSecretRefresh: [['Require secret for Refresh Token Flow', id(57479204099)], ['Require Secret for Refresh Token Flow', S.cobalt]],
        requirePkce: [
          ['Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization Flows', id(47511674739)],
          ['Require Proof Key for Code Exchange (PKCE)', id(57479204099)],
        ],
        refreshTokenRotation: [['Enable Refresh Token Rotation', id(57479204099)]],
        jwtAccessTokens: [
          ['Issue JSON Web Token (JWT)-based access tokens for named users', S.cobalt],
          ['Issue JWT-based access tokens for named users', id(57479204099)],
        ],
        dpop: [['Require Demonstrating Proof of Possession (DPoP) for tokens', S.dom1]],
        permittedUsers: [['Permitted Users', id(60092075013)]],
        permittedUsersAssignment: [['Profiles', S.dom1], ['Permission Sets', S.perm]],
        ipRelaxation: [['IP Relaxation', id(56121613718)]],
        refreshTokenPolicy: [['Refresh Token Policy', id(56121613718)]],
        refreshTokenIdleLimit: [['Limit Idle Refresh Token TTL to 30 Days', S.dom1]],
        lockSessionsToIp: [['Lock sessions to the IP address from which they originated', S.sec208]],
        lockSessionsToDomain: [['Lock sessions to the domain in which they were first used', S.sec208]],
        enforceIpRangesEveryRequest: [['Enforce login IP ranges on every request', id(42482089114)]],
        trustedIpRanges: [['Trusted IP Ranges', S.celigo], ['Trusted IP Range', S.dom1]],
        loginIpRanges: [['Login IP Ranges', S.tbl]],
      },
      columns: {
        start: [['Start IP Address', S.celigo], ['IP Start Address', S.tbl]],
        end: [['End IP Address', S.celigo], ['IP End Address', S.tbl]],
      },
      sections: {
        oauthSettings: [['OAuth Settings', id(56121613718)]],
        oauthPolicies: [['OAuth Policies', S.alter]],
        flows: [['Flow Enablement', S.sfdx]],
        security: [['Security', id(57479204099)]],
        appSettings: [['App Settings', S.sfdx]],
        appAuthorization: [['App Authorization', id(56121613718)]],
        oauthFlows: [['OAuth Flows and External Client App Enhancements', S.splunk]],
      },
      tabs: { settings: [['Settings', id(56121613718)]], policies: [['Policies', id(56121613718)]] },
      options: {
        distributionState: { Local: [['Local', S.ptc]], Packaged: [['Packaged', S.ptc]] },
        ipRelaxation: {
          Enforce: [['Enforce IP restrictions', id(56123465918)]],
          Enforce_RelaxRefresh: [['Enforce IP restrictions, but relax for refresh tokens', id(56123465918)]],
          Bypass_2factor: [['Relax IP restrictions for activated devices', id(56123465918)], ['Relax IP restrictions with second factor', id(61106915946)]],
          Bypass: [['Relax IP restrictions', id(56123465918)]],
        },
        permittedUsers: {
          AllSelfAuthorized: [['All users may self-authorize', id(60092075013)], ['All users can self-authorize', id(54083274015)]],
          AdminApprovedPreAuthorized: [['Admin approved users are pre-authorized', id(47511674739)]],
        },
        refreshTokenPolicy: {
          Infinite: [['Refresh token is valid until revoked', id(60033655911)]],
          Zero: [['Immediately expire refresh token', id(60033655911)]],
          SpecificInactivity: [['Expire refresh token if not used for', id(60033655911)]],
          SpecificLifetime: [['Expire refresh token after', id(60092075013)]],
        },
      },
      bool: { true: [['True', S.lbc]], false: [['False', S.lbc]] },
      checkImg: { true: [['Checked', id(30558113655)]], false: [['Not Checked', id(30558113655)]] },
    },
    ja: {
      fields: {
        name: [['外部クライアントアプリケーション名', S.nehan], ['接続アプリケーション名', 'https://cdata.com/jp/blog/salesforceoauth']],
        apiName: [['API 参照名', S.nehan]],
        contactEmail: [['取引先責任者 メール', S.nehan]],
        oauthEnabled: [['OAuth の有効化', S.nehan], ['OAuth 設定の有効化', id(4672111298)]],
        callbackUrl: [['コールバック URL', S.tyo]],
        scopes: [['選択した OAuth 範囲', id(4672111298)], ['OAuth 範囲', S.tyo]],
        clientCredentialsFlow: [['クライアントログイン情報フローを有効化', S.tyo]],
        codeCredentialsFlow: [['認証コードおよびログイン情報フローを有効化', S.tyo]],
        jwtBearerFlow: [['JWT ベアラーフローを有効化', S.tyo]],
        deviceFlow: [['デバイスフローを有効化', S.tyo]],
        tokenExchangeFlow: [['トークン交換フローを有効化', S.tyo]],
        requireSecretWebServer: [['Web サーバーフローの秘密が必要', S.tyo], ['Web サーバフローの秘密が必要', id(15005616640)]],
        requireSecretRefresh: [['更新トークンフローの秘密が必要', S.tyo]],
        requirePkce: [
          ['サポートされる認証フローに Proof Key for Code Exchange (PKCE) 拡張を要求', id(37866130187)],
          ['サポートされる認証フローに PKCE 拡張を要求', id(54132568235)],
          ['PKCE 拡張を要求', S.tyo],
        ],
        refreshTokenRotation: [['更新トークンのローテーションを有効化', S.tyo]],
        jwtAccessTokens: [
          ['指名ユーザーの JSON Web トークン (JWT) ベースのアクセストークンを発行', id(37866130187)],
          ['指名ユーザーの JWT ベースのアクセストークンを発行', S.tyo],
        ],
        permittedUsers: [['許可されているユーザー', S.tyo]],
        ipRelaxation: [['IP 制限の緩和', S.tyo]],
        refreshTokenPolicy: [['更新トークンポリシー', S.tyo]],
        lockSessionsToIp: [['ログイン時の IP アドレスとセッションをロックする', id(37792725801)]],
        lockSessionsToDomain: [['セッションを最初に使用したドメインにセッションをロックする', id(37792725801)]],
        enforceIpRangesEveryRequest: [['すべての要求でログイン IP アドレスの制限を適用', id(37792725801)]],
        trustedIpRanges: [['信頼済み IP 範囲', id(53018502812)]],
        loginIpRanges: [['ログイン IP アドレスの制限', S.bell]],
      },
      columns: { start: [['開始IPアドレス', S.onogoro]], end: [['終了IPアドレス', S.onogoro]] },
      sections: {
        oauthSettings: [['OAuth 設定', id(54132568235)]],
        oauthPolicies: [['OAuth ポリシー', id(52676256848)]],
        flows: [['フローの有効化', S.tyo]],
        security: [['セキュリティ', S.tyo]],
        appSettings: [['アプリケーション設定', S.nehan]],
        appAuthorization: [['アプリケーション認証', S.tyo]],
      },
      tabs: { settings: [['設定', id(54132568235)]], policies: [['ポリシー', id(53815887439)]] },
      options: {
        ipRelaxation: { Enforce: [['IP 制限を適用', S.tyo]], Bypass: [['IP 制限の緩和', S.bell]] },
        permittedUsers: {
          AllSelfAuthorized: [['すべてのユーザーは自己承認可能', id(53157651530)]],
          AdminApprovedPreAuthorized: [['管理者が承認したユーザーは事前承認済み', S.tyo]],
        },
        refreshTokenPolicy: { SpecificLifetime: [['特定の時間後に更新トークンを期限切れにする', S.tyo]] },
      },
    },
    zh_CN: {
      // Only the classic checkbox images' alt texts (a saved zh_CN Classic page): no field label.
      checkImg: { true: [['选取的', id(17357205530)]], false: [['未选取的', id(17378843690)]] },
    },
  };

  /** Options whose shown text goes on after the label ("… if not used for 30 Day(s)"). */
  const PREFIX = new Set(['SpecificInactivity', 'SpecificLifetime']);

  const CJK = /[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]/;
  /**
   * The comparison key of a label: case and spacing folded, a trailing colon and a leading
   * required-field asterisk dropped. Japanese labels are quoted with and without the space
   * between Latin and kana, with full- or half-width parentheses and with or without the long
   * vowel mark after ユーザ/コンシューマ/サーバ (docs/salesforce-dom.md, "Labels by language").
   */
  // Memoised: a page's labels are keyed again on every read (bounded, for long-lived pages).
  const keys = new Map();
  function key(text) {
    const t = String(text || '');
    let k = keys.get(t);
    if (k !== undefined) return k;
    k = fold(t);
    if (keys.size > 5000) keys.clear();
    keys.set(t, k);
    return k;
  }
  function fold(t) {
    let k = t.replace(/\s+/g, ' ').replace(/^\*\s*/, '').replace(/\s*[:：]$/, '').trim().toLowerCase();
    if (CJK.test(k)) k = k.replace(/\s+/g, '').replace(/（/g, '(').replace(/）/g, ')').replace(/(ユーザ|コンシューマ|サーバ|ブラウザ)ー/g, '$1');
    return k;
  }

  /** Languages with field labels (the others are read structurally). */
  const SOURCED = Object.keys(DATA).filter((l) => DATA[l].fields);

  /** A page's language code as the label data spells it: `ja-JP` → `ja`, `pt-br` → `pt_BR`. */
  function langOf(raw) {
    const s = String(raw || '').trim().replace('-', '_');
    if (!/^[A-Za-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(s)) return '';
    const [a, b] = s.split('_');
    const full = b ? `${a.toLowerCase()}_${b.toUpperCase()}` : a.toLowerCase();
    return DATA[full] ? full : DATA[a.toLowerCase()] ? a.toLowerCase() : full;
  }

  /** The document's language (`<html lang>`), normalised; '' when it has none. */
  const pageLang = (doc) => langOf(doc.documentElement && doc.documentElement.getAttribute('lang'));
  const known = (lang) => SOURCED.includes(lang);

  /** Languages to match on a page: its own when sourced, then every sourced one (a page whose
   * `lang` is missing or wrong is still read by the labels it shows). */
  const order = (lang) => (known(lang) ? [lang, ...SOURCED.filter((l) => l !== lang)] : SOURCED);

  const texts = (pairs) => (pairs || []).map(([t]) => t);
  /** The labels of `kind` (`fields`, `sections`, `tabs`, `columns`) `name` in the page's languages. */
  function of(kind, name, lang) {
    return order(lang).flatMap((l) => texts(DATA[l][kind] && DATA[l][kind][name]));
  }

  // Lookup tables built once per frame (a few hundred entries).
  const optionIndex = new Map(); // `${field}\n${key}` → {value, prefix}
  const boolIndex = new Map(); // key → true/false (True/False titles, checkbox image alts)
  for (const data of Object.values(DATA)) {
    for (const [field, values] of Object.entries(data.options || {})) {
      for (const [value, pairs] of Object.entries(values)) {
        for (const t of texts(pairs)) optionIndex.set(`${field}\n${key(t)}`, { value, prefix: PREFIX.has(value), text: key(t) });
      }
    }
    for (const set of [data.bool, data.checkImg]) {
      if (!set) continue;
      for (const t of texts(set.true)) boolIndex.set(key(t), true);
      for (const t of texts(set.false)) boolIndex.set(key(t), false);
    }
  }

  /** The metadata value a shown option label stands for (any sourced language), or null. */
  function choiceValue(field, shown) {
    const k = key(shown);
    const hit = optionIndex.get(`${field}\n${k}`);
    if (hit) return hit.value;
    for (const [ik, o] of optionIndex) {
      if (o.prefix && ik.startsWith(`${field}\n`) && k.startsWith(o.text) && k.length > o.text.length) return o.value;
    }
    return null;
  }

  /** true/false for a shown "True"/"Checked" text in any sourced language, else undefined. */
  const boolText = (text) => boolIndex.get(key(text));

  /** Whether `lang` itself has a label of `kind` `name` (not only English). */
  const has = (kind, name, lang) => !!(DATA[lang] && DATA[lang][kind] && DATA[lang][kind][name]);

  /** Every label with its source, for docs and tests: [{lang, kind, name, text, source}]. */
  function all() {
    const out = [];
    for (const [lang, data] of Object.entries(DATA)) {
      for (const [kind, group] of Object.entries(data)) {
        for (const [name, v] of Object.entries(group)) {
          const lists = Array.isArray(v) ? { '': v } : v;
          for (const [sub, pairs] of Object.entries(lists)) {
            for (const [text, source] of pairs) out.push({ lang, kind, name: sub ? `${name}.${sub}` : name, text, source });
          }
        }
      }
    }
    return out;
  }

  g.labels = Object.freeze({ key, langOf, pageLang, known, of, has, choiceValue, boolText, all, SOURCED });
})();
