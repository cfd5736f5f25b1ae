//! The evidence report (src/report/): contents, no secret or key beyond its prefix whatever the
//! inputs carry, hostile page text made inert, the JSON's shape. Inputs go through the same JSON
//! path as the worker's message to the Wasm module.

use eca_guard::pack::{Config, Params};
use eca_guard::report::{self, Input};
use serde_json::{json, Value};

const ORIGIN: &str = "https://acme.my.salesforce-setup.com";
const NOW: u64 = 1_796_137_015_000; // 2026-12-01T14:56:55Z
const KEY: &str = "3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3DlcYjKRjzaQhi7iPaGHbBxc3y4K.0";
const SECRET: &str = "F1E2D3C4B5A69788F1E2D3C4B5A69788F1E2D3C4B5A69788F1E2D3C4B5A69788";

fn veeam() -> Config {
    Config {
        pack: "veeam-eca".into(),
        params: Params {
            callback_urls: vec!["https://veeam.acme.internal".into()],
            ..Params::default()
        },
        custom_packs: vec![],
    }
}

/// The check's result for a snapshot, as the checker module gives it (JSON).
fn checked(config: &Config, snapshot: &Value) -> Value {
    let snap: eca_guard::Snapshot = eca_guard::json::from_str(&snapshot.to_string()).expect("snapshot");
    serde_json::to_value(eca_guard::check_config(&snap, config).expect("check")).expect("result")
}

/// The org's rows from its readings, as the checker module's `orgStatus` gives them (JSON).
fn status(config: &Config, readings: &Value) -> Value {
    let r: eca_guard::org_status::Readings = eca_guard::json::from_str(&readings.to_string()).expect("readings");
    serde_json::to_value(eca_guard::org_status::org_status(config, &r, ORIGIN, NOW as f64).expect("rows"))
        .expect("status")
}

/// The worker's input: the page (url, snapshot as sent, result) and the org's rows.
fn input(config: &Config, url: &str, snapshot: Value, readings: Value) -> Input {
    // The snapshot the worker keeps may carry more than the checker accepts (a key a page made a
    // reader put there): the checker sees the settings only, the report gets all of it.
    let mut for_check = snapshot.clone();
    if let Some(o) = for_check.as_object_mut() {
        o.retain(|k, _| !k.starts_with("consumer"));
    }
    let v = json!({
        "host": "acme.my.salesforce-setup.com",
        "now": NOW,
        "page": { "url": url, "checkedAt": NOW - 60_000, "snapshot": snapshot, "result": checked(config, &for_check) },
        "orgStatus": status(config, &readings),
    });
    eca_guard::json::from_str(&v.to_string()).expect("input")
}

fn org_readings() -> Value {
    json!({
        "snapshot": { "page": "session-settings", "lockSessionsToIp": false, "permittedUsers": "AllSelfAuthorized", "unreadable": [] },
        "read": {
            "lockSessionsToIp": { "from": format!("{ORIGIN}/lightning/setup/SecuritySession/home"), "readAt": NOW - 3_600_000 },
            "permittedUsers": { "from": format!("{ORIGIN}/lightning/setup/ManageExternalClientApplication/0xI000000000001AAA/view?tab=policies"), "readAt": NOW - 120_000 },
        },
        "app": "Veeam Backup",
    })
}

fn wrong_form() -> Value {
    json!({
        "page": "new-eca",
        "name": "Veeam Backup",
        "oauthEnabled": true,
        "callbackUrl": "https://veeam.acme.internal/",
        "scopes": ["Manage user data via APIs (api)"],
        "requireSecretWebServer": true,
        "requireSecretRefresh": true,
        "requirePkce": false,
        "unreadable": [],
    })
}

fn build(i: &Input, config: &Config) -> (report::Report, String, Value) {
    let r = report::build(config, i).expect("report");
    let md = r.markdown();
    let j: Value = serde_json::from_str(&r.json().expect("json")).expect("valid JSON");
    (r, md, j)
}

#[test]
fn holds_pack_time_org_page_findings_deviations_and_readings() {
    let c = veeam();
    let url = format!("{ORIGIN}/lightning/setup/ManageExternalClientApplication/new?retURL=%2Fhome&sid=00D!AQ");
    let i = input(&c, &url, wrong_form(), org_readings());
    let (r, md, j) = build(&i, &c);
    assert_eq!(j["format"], "eca-guard-report/1");
    assert_eq!(j["generatedAt"], "2026-12-01T14:56:55Z");
    assert_eq!(j["pack"]["id"], "veeam-eca");
    assert_eq!(j["pack"]["name"], "Veeam Backup for Salesforce 3.2 and later");
    assert!(
        j["pack"]["checked"].as_str().is_some_and(|d| d.len() == 10),
        "{}",
        j["pack"]
    );
    assert_eq!(j["org"]["host"], "acme.my.salesforce-setup.com");
    assert_eq!(j["org"]["key"], "acme");
    assert_eq!(j["org"]["kind"], "production");
    assert_eq!(j["org"]["apiHost"], "acme.my.salesforce.com");
    assert_eq!(j["page"]["kind"], "new-eca");
    assert_eq!(
        j["page"]["url"],
        format!("{ORIGIN}/lightning/setup/ManageExternalClientApplication/new")
    );
    assert_eq!(j["page"]["checkedAt"], "2026-12-01T14:55:55Z");
    assert!(
        !md.contains("retURL") && !md.contains("sid="),
        "query values left: {md}"
    );

    // Every finding, with what the panel shows for it, and its source.
    let result = &i.page.as_ref().expect("page").result;
    assert_eq!(r.findings.len(), result.findings.len());
    assert!(
        r.findings.iter().any(|f| f.rule == "callback-trailing-slash"),
        "{:?}",
        r.findings
    );
    for (f, orig) in r.findings.iter().zip(&result.findings) {
        assert_eq!(
            (f.rule.as_str(), f.severity, f.field),
            (orig.rule.as_ref(), orig.severity, orig.field)
        );
        assert_eq!(f.message, orig.message);
        assert_eq!(f.source.url, orig.source);
        assert!(
            !f.source.title.is_empty() && f.source.url.starts_with("https://"),
            "{f:?}"
        );
        if orig.severity != eca_guard::Severity::Deviation && orig.severity != eca_guard::Severity::Info {
            assert!(
                md.contains(&format!("(`{}`)", f.rule)),
                "{} not in the checklist:\n{md}",
                f.rule
            );
        }
    }
    assert_eq!(j["counts"]["errors"], result.counts.errors);

    // PKCE off is Veeam's deviation: its reason is the pack's own.
    let pkce = r.deviations.iter().find(|d| d.rule == "pkce").expect("pkce deviation");
    assert!(
        pkce.reason
            .starts_with("Veeam's sign-in does not send a PKCE code challenge"),
        "{}",
        pkce.reason
    );
    assert!(pkce
        .baseline
        .as_ref()
        .is_some_and(|b| b.url.contains("help.salesforce.com")));
    assert!(md.contains("## Deviations") && md.contains("Veeam's sign-in does not send a PKCE code challenge"));

    // The org's readings, each with when and where it was read; Permitted Users in Setup's words
    // and as "no requirement", apart from a pass.
    let lock = r
        .org_checks
        .iter()
        .find(|c| c.rule == "session-lock-ip")
        .expect("lock row");
    assert_eq!(lock.readings[0].shown, "Off");
    assert_eq!(lock.readings[0].read_at, "2026-12-01T13:56:55Z");
    assert_eq!(
        lock.readings[0].from.as_deref(),
        Some(format!("{ORIGIN}/lightning/setup/SecuritySession/home").as_str())
    );
    let users = r
        .org_checks
        .iter()
        .find(|c| c.rule == "permitted-users")
        .expect("users row");
    assert!(users.no_requirement);
    assert_eq!(users.readings[0].shown, "All users may self-authorize");
    assert_eq!(users.app.as_deref(), Some("Veeam Backup"));
    assert!(
        users.readings[0].from.as_deref().is_some_and(|u| !u.contains('?')),
        "{:?}",
        users.readings[0].from
    );
    assert!(
        md.contains("All users may self-authorize, at 2026-12-01T14:54:55Z"),
        "{md}"
    );
    assert!(md.contains("(`permitted-users`): No requirement"), "{md}");
    assert!(!md.contains("AllSelfAuthorized") && !j.to_string().contains("AllSelfAuthorized"));
    assert!(
        r.filename("md")
            .starts_with("eca-guard-acme-veeam-eca-20261201T145655Z"),
        "{}",
        r.filename("md")
    );
}

#[test]
fn no_secret_and_no_key_beyond_its_prefix_whatever_the_inputs_carry() {
    let c = veeam();
    let mut snap = wrong_form();
    // A reader misled by the page: the key in labels (which the report names fields by), in
    // callback lines;
    // a secret in keys the checker does not know; both in the address.
    snap["name"] = json!("Quiet App Name 42");
    snap["consumerKey"] = json!(KEY);
    snap["consumerSecret"] = json!(SECRET);
    snap["labels"] =
        json!({ "callbackUrl": format!("Callback URL {SECRET}"), "requirePkce": format!("Require PKCE {KEY}") });
    // (Messages quote a callback line, not the page's labels: a line ending with a slash is
    // quoted whole in its finding.)
    snap["callbackUrl"] = json!(format!(
        "https://veeam.acme.internal/?client_id={KEY}\nhttps://{KEY}.example/"
    ));
    let mut readings = org_readings();
    readings["app"] = json!(KEY);
    readings["read"]["lockSessionsToIp"]["from"] = json!(format!(
        "{ORIGIN}/lightning/setup/SecuritySession/home?key={KEY}#{SECRET}"
    ));
    let url = format!("{ORIGIN}/lightning/setup/ManageExternalClientApplication/new?secret={SECRET}&k={KEY}");
    let i = input(&c, &url, snap, readings);
    // The check itself quotes the callback line with the key: the report must still cut it.
    let result = &i.page.as_ref().expect("page").result;
    assert!(
        result.findings.iter().any(|f| f.message.contains(KEY)),
        "the test must feed a key through a finding: {:#?}",
        result.findings
    );
    let (_, md, j) = build(&i, &c);
    let json = j.to_string();
    for out in [&md, &json] {
        assert!(!out.contains(SECRET), "the secret is in the report");
        assert!(
            !out.contains(&SECRET[..12]),
            "more than the secret's prefix is in the report"
        );
        assert!(!out.contains(KEY), "the key is in the report");
        assert!(
            !out.contains(&KEY[..9]),
            "more than the key's 8-character prefix is in the report"
        );
        assert!(out.contains("3MVG9A2k…(redacted)"), "the key's prefix says it was cut");
    }
    // No value of the page's fields beyond what a finding quotes: the Name is quoted by none.
    assert!(
        !json.contains("Quiet App Name") && !md.contains("Quiet App Name"),
        "{json}"
    );
}

#[test]
fn hostile_page_text_is_inert_markdown() {
    let c = veeam();
    let mut snap = wrong_form();
    let evil = "Callback [click me](https://evil.example/phish) <img src=x onerror=alert(1)>\n# Approved\n- [x] all good **ok** `code` www.evil.example a@evil.example";
    snap["labels"] = json!({ "callbackUrl": evil, "requirePkce": "PKCE ](javascript:alert(1))" });
    let mut readings = org_readings();
    readings["app"] = json!("<script>alert(1)</script>\n## Signed off");
    let i = input(
        &c,
        &format!("{ORIGIN}/lightning/setup/ManageExternalClientApplication/new"),
        snap,
        readings,
    );
    let (r, md, _) = build(&i, &c);
    assert!(
        r.findings.iter().any(|f| f.label.contains("click me")),
        "the label is quoted"
    );
    // Rendered as GitHub renders Markdown (GFM, autolinks on): no link, image, script or heading
    // of the page's making; the only links go to the pack's sources and the org's Setup.
    let html = gfm(&md);
    assert!(!html.contains("<img") && !html.contains("<script"), "{html}");
    assert!(!html.contains("<h1>Approved") && !html.contains("<h2>Signed"), "{html}");
    let hrefs: Vec<&str> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert!(!hrefs.is_empty());
    for h in &hrefs {
        let ok = h.starts_with(ORIGIN)
            || h.starts_with("https://www.veeam.com/")
            || h.starts_with("https://helpcenter.veeam.com/")
            || h.starts_with("https://help.salesforce.com/");
        assert!(ok, "a link the page made: {h}\n{html}");
    }
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the text is kept, inert: {html}"
    );
    // Page text never starts a line: every line is the report's own.
    for line in md.lines() {
        let own = line.is_empty()
            || [
                "# ECA Guard report",
                "## ",
                "- ",
                "  - ",
                "---",
                "Made by",
                "Settings the",
                "From what",
                "Nothing:",
            ]
            .iter()
            .any(|p| line.starts_with(p));
        assert!(own, "a line not of the report's making: {line:?}");
        assert!(
            !line.starts_with("# Approved") && !line.starts_with("## Signed"),
            "{line}"
        );
    }
}

#[test]
fn json_shape() {
    let c = veeam();
    let i = input(
        &c,
        &format!("{ORIGIN}/lightning/setup/ManageExternalClientApplication/new"),
        wrong_form(),
        org_readings(),
    );
    let (_, _, j) = build(&i, &c);
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&j),
        [
            "counts",
            "deviations",
            "ecaGuardVersion",
            "findings",
            "format",
            "generatedAt",
            "notes",
            "org",
            "orgChecks",
            "pack",
            "page"
        ]
    );
    assert_eq!(keys(&j["pack"]), ["checked", "covers", "id", "name"]);
    assert_eq!(keys(&j["org"]), ["apiHost", "host", "key", "kind"]);
    assert_eq!(keys(&j["page"]), ["checkedAt", "kind", "title", "url"]);
    assert_eq!(
        keys(&j["findings"][0]),
        [
            "field",
            "fix",
            "fixInOptions",
            "label",
            "message",
            "rule",
            "severity",
            "source"
        ]
    );
    assert_eq!(keys(&j["findings"][0]["source"]), ["title", "url"]);
    assert_eq!(
        keys(&j["deviations"][0]),
        ["baseline", "field", "label", "reason", "rule", "source"]
    );
    let row = j["orgChecks"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["rule"] == "session-lock-ip")
        .expect("row");
    assert_eq!(
        keys(row),
        [
            "app",
            "couldNotRead",
            "fix",
            "noRequirement",
            "readings",
            "rule",
            "setup",
            "source",
            "status",
            "title",
            "why"
        ]
    );
    assert_eq!(keys(&row["readings"][0]), ["field", "from", "label", "readAt", "shown"]);
    assert_eq!(row["status"], "deviation");
    assert_eq!(j["ecaGuardVersion"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn without_a_checked_page_the_org_checks_stand_alone() {
    let c = veeam();
    let v = json!({ "host": "acme--uat.sandbox.my.salesforce-setup.com", "now": NOW, "orgStatus": status(&c, &org_readings()) });
    let i: Input = eca_guard::json::from_str(&v.to_string()).expect("input");
    let (r, md, j) = build(&i, &c);
    assert!(r.page.is_none() && r.findings.is_empty());
    assert_eq!(j["org"]["kind"], "sandbox");
    assert_eq!(j["org"]["key"], "acme--uat");
    assert!(
        md.contains("none checked in this tab") && md.contains("## Org checks"),
        "{md}"
    );
    // A host that is no org's is refused, not reported as one.
    let bad = json!({ "host": "evil.example", "now": NOW });
    let i: Input = eca_guard::json::from_str(&bad.to_string()).expect("input");
    assert!(report::build(&c, &i).is_err());
}

/// Markdown to HTML as GitHub renders it (GFM: autolinks, task lists, tables, strikethrough).
fn gfm(md: &str) -> String {
    let mut o = comrak::Options::default();
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.table = true;
    o.extension.strikethrough = true;
    comrak::markdown_to_html(md, &o)
}
