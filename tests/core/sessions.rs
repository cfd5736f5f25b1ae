//! Session Settings, OAuth policies and IP ranges.

use eca_guard::pack::Params;
use eca_guard::snapshot::{IpRange, Page, Snapshot};
use eca_guard::Field;
use eca_guard::Severity::{Deviation, Error, Info, Warning};

use crate::support::*;

fn range(a: &str, b: &str) -> IpRange {
    IpRange {
        start: a.into(),
        end: b.into(),
    }
}

#[test]
fn lock_sessions_to_ip() {
    let on = Snapshot::new(Page::SessionSettings).with(Field::LockSessionsToIp, true);
    let off = on.clone().with(Field::LockSessionsToIp, false);
    for pack in ["veeam-eca", "veeam-connected-app"] {
        assert_eq!(
            rules(&run(pack, &on, &veeam_params())),
            pairs(&[("session-lock-ip", Error)]),
            "{pack}"
        );
        assert_eq!(
            rules(&run(pack, &off, &veeam_params())),
            pairs(&[("session-lock-ip", Deviation)]),
            "{pack}"
        );
    }
    // Delphix has no opinion on session locking.
    assert!(run("delphix-crt-eca", &on, &Params::default()).is_empty());
}

#[test]
fn policies_for_delphix() {
    let snap = |ip: &str, users: &str| {
        Snapshot::new(Page::EcaDetail)
            .with(Field::IpRelaxation, ip)
            .with(Field::PermittedUsers, users)
    };
    let p = Params::default();
    assert_eq!(
        rules(&run(
            "delphix-crt-eca",
            &snap("Relax IP restrictions", "Admin approved users are pre-authorized"),
            &p
        )),
        pairs(&[("ip-relaxation", Deviation)])
    );
    assert_eq!(
        rules(&run("delphix-crt-eca", &snap("Bypass", "AllSelfAuthorized"), &p)),
        pairs(&[("ip-relaxation", Deviation), ("permitted-users", Deviation)])
    );
    let enforce = run(
        "delphix-crt-eca",
        &snap("Enforce IP restrictions", "AllSelfAuthorized"),
        &p,
    );
    let f = enforce.iter().find(|f| f.rule == "ip-relaxation").expect("ip finding");
    // Delphix's prerequisites call "Relax IP restrictions" recommended, not required.
    assert_eq!(f.severity, Warning);
    assert!(
        f.message.contains("Relax IP restrictions") && f.message.contains("recommended deviation"),
        "{}",
        f.message
    );
    assert_eq!(f.fix, "Choose \"Relax IP restrictions\".");
    let odd = run(
        "delphix-crt-eca",
        &snap("IP-Beschränkungen lockern", "AllSelfAuthorized"),
        &p,
    );
    assert!(
        odd.iter()
            .any(|f| f.rule == "ip-relaxation" && f.severity == Warning && f.message.contains("does not recognise")),
        "{odd:#?}"
    );
}

#[test]
fn login_ip_ranges() {
    let params = Params {
        server_addresses: vec!["203.0.113.7".into()],
        ..veeam_params()
    };
    let with = |login: Vec<IpRange>| Snapshot::new(Page::NetworkAccess).with(Field::LoginIpRanges, login);
    let inside = with(vec![range("203.0.113.0", "203.0.113.255")]);
    assert!(run("veeam-eca", &inside, &params).is_empty());
    let outside = with(vec![range("198.51.100.0", "198.51.100.255")]);
    let got = run("veeam-eca", &outside, &params);
    assert_eq!(rules(&got), pairs(&[("login-ip-range", Error)]));
    assert!(got[0].message.contains("203.0.113.7"));
    assert!(
        run("veeam-eca", &with(vec![]), &params).is_empty(),
        "no ranges = no restriction"
    );
    let unknown = run("delphix-crt-eca", &outside, &Params::default());
    assert_eq!(rules(&unknown), pairs(&[("login-ip-range", Info)]));
    let trusted = Snapshot::default().with(Field::TrustedIpRanges, vec![range("10.0.0.0", "10.0.0.9")]);
    assert_eq!(
        rules(&run("veeam-eca", &trusted, &params)),
        pairs(&[("login-ip-range", Warning)])
    );
}

#[test]
fn callback_addresses_are_not_server_addresses() {
    // veeam_params() has the web UI at https://172.12.0.1: where the admin's browser returns to,
    // not where Veeam connects from. Without server addresses nothing is known to check.
    let snap = Snapshot::new(Page::NetworkAccess).with(Field::LoginIpRanges, vec![range("203.0.113.0", "203.0.113.9")]);
    let got = run("veeam-eca", &snap, &veeam_params());
    assert_eq!(rules(&got), pairs(&[("login-ip-range", Info)]), "{got:#?}");
    assert!(got[0].message.contains("does not know"), "{}", got[0].message);
}

#[test]
fn private_server_addresses_are_never_an_error() {
    let params = Params {
        server_addresses: [
            "10.1.2.3",
            "192.168.0.9",
            "172.16.5.5",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.1.1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        ..Params::default()
    };
    let snap = Snapshot::new(Page::NetworkAccess).with(Field::LoginIpRanges, vec![range("203.0.113.0", "203.0.113.9")]);
    let got = run("veeam-eca", &snap, &params);
    assert!(got.iter().all(|f| f.severity == Info), "{got:#?}");
    assert_eq!(got.len(), 9, "one note per private address: {got:#?}");
    assert!(
        got[0].message.contains("10.1.2.3 is a private address"),
        "{}",
        got[0].message
    );
    // 172.12.0.1 is public (outside 172.16/12): it is checked.
    let public = Params {
        server_addresses: vec!["172.12.0.1".into()],
        ..Params::default()
    };
    assert_eq!(
        rules(&run("veeam-eca", &snap, &public)),
        pairs(&[("login-ip-range", Error)])
    );
}

#[test]
fn ipv6_ranges() {
    let params = Params {
        server_addresses: vec!["2001:db8::5".into()],
        ..Params::default()
    };
    let snap = Snapshot::default().with(Field::LoginIpRanges, vec![range("2001:db8::", "2001:db8::ffff")]);
    assert!(run("veeam-eca", &snap, &params).is_empty());
    let v4only = Snapshot::default().with(Field::LoginIpRanges, vec![range("0.0.0.0", "255.255.255.255")]);
    assert_eq!(
        rules(&run("veeam-eca", &v4only, &params)),
        pairs(&[("login-ip-range", Error)])
    );
}
