//! Notes that depend on the page rather than the pack.

use eca_guard::check::CONNECTED_APP_NOTE;
use eca_guard::pack::Config;
use eca_guard::snapshot::{Page, Snapshot};

fn notes(pack: &str, page: Page) -> Vec<String> {
    let config = Config {
        pack: pack.into(),
        ..Config::default()
    };
    let snap = Snapshot::new(page);
    eca_guard::check_config(&snap, &config)
        .unwrap_or_else(|e| panic!("{e}"))
        .notes
}

#[test]
fn connected_app_pages_say_spring_26_and_five_approvals_whatever_the_pack() {
    for page in [Page::ConnectedAppEdit, Page::ConnectedAppDetail] {
        for pack in ["veeam-eca", "delphix-crt-eca"] {
            assert!(
                notes(pack, page).iter().any(|n| n == CONNECTED_APP_NOTE),
                "{pack} {page:?}"
            );
        }
        // The Connected App pack says it in its own notes, once.
        let own = notes("veeam-connected-app", page);
        assert!(!own.iter().any(|n| n == CONNECTED_APP_NOTE));
        assert!(own.iter().any(|n| n.contains("Spring '26")));
        assert!(own.iter().any(|n| n.contains("5 authorizations")));
    }
}

#[test]
fn other_pages_carry_only_the_pack_notes() {
    for page in [
        Page::NewEca,
        Page::EcaDetail,
        Page::SessionSettings,
        Page::NetworkAccess,
    ] {
        assert!(
            !notes("veeam-eca", page).iter().any(|n| n == CONNECTED_APP_NOTE),
            "{page:?}"
        );
    }
}
