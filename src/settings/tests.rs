//! The settings table's own invariants.
use super::*;

#[test]
fn every_field_has_its_own_row_and_name() {
    for (i, f) in Field::ALL.into_iter().enumerate() {
        assert_eq!(f.spec().field, f, "{f:?} points at another row");
        assert_eq!(Field::from_name(f.name()), Some(f));
        assert!(!f.label().is_empty());
        if i > 0 {
            assert!(Field::ALL[i - 1] < f, "Field::ALL is in page order");
        }
    }
}

#[test]
fn pack_keys_have_one_shape() {
    for key in pack_keys() {
        let shapes: Vec<Requirement> = fields_of_pack_key(key)
            .filter_map(|f| f.spec().pack.map(|p| p.1))
            .collect();
        assert!(shapes.windows(2).all(|w| w[0] == w[1]), "{key}");
    }
}

#[test]
fn baselines_fit_their_kind() {
    for f in Field::ALL {
        let s = f.spec();
        match (s.baseline.map(|b| b.value), s.kind) {
            (None, _) | (Some(BaseValue::Bool(_)), Kind::Bool) => {}
            (Some(BaseValue::Choice(v)), Kind::Choice(cs)) => assert!(cs.iter().any(|c| c.value == v), "{f:?}"),
            other => panic!("{f:?}: {other:?}"),
        }
    }
}

#[test]
fn choice_labels_map_to_values() {
    let ip = Field::IpRelaxation.spec();
    assert_eq!(ip.choice_value("Relax IP restrictions"), Some("Bypass"));
    assert_eq!(
        ip.choice_value("relax ip restrictions with second factor"),
        Some("Bypass_2factor")
    );
    assert_eq!(ip.choice_value("ENFORCE"), Some("Enforce"));
    assert_eq!(ip.choice_value("Relax"), None);
    let rt = Field::RefreshTokenPolicy.spec();
    assert_eq!(
        rt.choice_value("Expire refresh token if not used for 30 Day(s)"),
        Some("SpecificInactivity")
    );
    assert_eq!(rt.choice_label("Infinite"), "Refresh token is valid until revoked");
    assert_eq!(
        rt.choice_shown("SpecificInactivity"),
        "Expire refresh token if not used for"
    );
    assert_eq!(
        rt.choice_shown("Expire refresh token if not used for 30 Day(s)"),
        "Expire refresh token if not used for 30 Day(s)"
    );
    let users = Field::PermittedUsers.spec();
    assert_eq!(users.choice_shown("AllSelfAuthorized"), "All users may self-authorize");
    assert_eq!(
        users.choice_shown("All users can self-authorize"),
        "All users may self-authorize"
    );
    assert_eq!(
        users.choice_shown("AdminApprovedPreAuthorized"),
        "Admin approved users are pre-authorized"
    );
    assert_eq!(users.choice_shown("Quelque chose"), "Quelque chose");
}
