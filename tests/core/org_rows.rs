//! The popup's rows from remembered readings (src/org_status/).

use eca_guard::json::Pairs;
use eca_guard::org_status::{org_status, ReadAt, Readings, Status};
use eca_guard::pack::{Config, Params};
use eca_guard::snapshot::{IpRange, Page, Snapshot};
use eca_guard::Field;

const ORIGIN: &str = "https://acme.my.salesforce-setup.com";

fn config(pack: &str, addresses: &[&str]) -> Config {
    Config {
        pack: pack.into(),
        params: Params {
            server_addresses: addresses.iter().map(|s| s.to_string()).collect(),
            ..Params::default()
        },
        custom_packs: vec![],
    }
}

fn readings(snap: Snapshot) -> Readings {
    let read = snap
        .values()
        .map(|(f, _)| {
            (
                f.name().to_string(),
                ReadAt {
                    from: Some(format!("{ORIGIN}/lightning/setup/SecuritySession/home")),
                    read_at: 0,
                },
            )
        })
        .collect();
    Readings {
        snapshot: snap,
        read: Pairs(read),
        app: None,
    }
}

fn range(a: &str) -> IpRange {
    IpRange {
        start: a.into(),
        end: a.into(),
    }
}

fn status_of(s: &eca_guard::org_status::OrgStatus, rule: &str) -> Option<Status> {
    s.rows.iter().find(|r| r.rule == rule).map(|r| r.status)
}

#[test]
fn unread_org_has_unknown_rows_with_setup_links() {
    let s = org_status(
        &config("veeam-eca", &[]),
        &readings(Snapshot::new(Page::SessionSettings)),
        ORIGIN,
        0.0,
    )
    .expect("rows");
    for rule in [
        "session-lock-ip",
        "session-lock-domain",
        "session-enforce-ip-ranges",
        "login-ip-range",
    ] {
        let r = s.rows.iter().find(|r| r.rule == rule).expect(rule);
        assert_eq!(r.status, Status::Unknown, "{rule}");
        assert!(r.why.contains("Not read yet"), "{}", r.why);
        assert!(r.setup.url.starts_with(ORIGIN), "{}", r.setup.url);
    }
    assert!(
        !s.rows.iter().any(|r| r.rule == "ip-relaxation"),
        "no policy row when unread and no rule"
    );
    assert_eq!(s.failing, 0);
}

#[test]
fn misconfigured_org_fails_and_counts() {
    let snap = Snapshot::new(Page::SessionSettings)
        .with(Field::LockSessionsToIp, true)
        .with(Field::LockSessionsToDomain, true)
        .with(Field::TrustedIpRanges, vec![range("10.0.0.1")])
        .with(Field::LoginIpRanges, vec![range("10.0.0.1")]);
    let s = org_status(
        &config("veeam-eca", &["203.0.113.10"]),
        &readings(snap),
        ORIGIN,
        60_000.0,
    )
    .expect("rows");
    assert_eq!(status_of(&s, "session-lock-ip"), Some(Status::Fail));
    let ip = s.rows.iter().find(|r| r.rule == "login-ip-range").expect("ip row");
    assert_eq!(ip.status, Status::Fail);
    assert!(ip.why.contains("203.0.113.10 is outside"), "{}", ip.why);
    assert!(ip
        .setup_more
        .iter()
        .any(|l| l.url.ends_with("/lightning/setup/EnhancedProfiles/home")));
    assert_eq!(s.failing, 2);
    assert_eq!(
        ip.values
            .iter()
            .find(|v| v.field == Field::LoginIpRanges)
            .map(|v| v.read_ago.as_str()),
        Some("just now")
    );
}

#[test]
fn correct_org_passes_with_its_deviation_and_no_requirement_says_so() {
    let snap = Snapshot::new(Page::SessionSettings)
        .with(Field::LockSessionsToIp, false)
        .with(Field::EnforceIpRangesEveryRequest, false);
    let s = org_status(&config("veeam-eca", &[]), &readings(snap.clone()), ORIGIN, 0.0).expect("rows");
    assert_eq!(status_of(&s, "session-lock-ip"), Some(Status::Deviation));
    let d = org_status(&config("delphix-crt-eca", &[]), &readings(snap), ORIGIN, 0.0).expect("rows");
    let r = d.rows.iter().find(|r| r.rule == "session-lock-ip").expect("row");
    assert_eq!(r.status, Status::Pass);
    assert!(
        r.no_requirement && r.why.contains("No requirement from Delphix"),
        "{}",
        r.why
    );
}

#[test]
fn could_not_read_is_unknown_never_pass() {
    let mut snap = Snapshot::new(Page::SessionSettings);
    snap.unreadable(Field::LockSessionsToIp, "no label");
    let s = org_status(&config("veeam-eca", &[]), &readings(snap), ORIGIN, 0.0).expect("rows");
    let r = s.rows.iter().find(|r| r.rule == "session-lock-ip").expect("row");
    assert_eq!(r.status, Status::Unknown);
    assert_eq!(r.could_not_read.len(), 1);
    assert!(r.why.contains("could not read"), "{}", r.why);
}
