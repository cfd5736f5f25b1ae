//! Properties of `generate` (the CLI's `eca-guard generate`), for every built-in pack and
//! arbitrary valid options (API names, labels with XML's special characters and non-ASCII
//! letters, contact emails, callback URLs, each choice's values, profiles and permission sets):
//! - its output passes its own pack: in memory (`settings` then `check`), and written to a
//!   folder and read back by the metadata reader (`walk`), with no error or warning and no
//!   problem reading the files;
//! - metadata written then read gives back the same settings: every setting the generator
//!   writes has, in the snapshot read back, the value it was written with.

use eca_guard::json::Pairs;
use eca_guard::metadata::generate::{self, GenerateError, Options};
use eca_guard::metadata::{mapping, Event, ProblemLevel};
use eca_guard::pack::{self, AppType, Pack, ParamKind, Params};
use eca_guard::{Field, Severity};
use proptest::prelude::*;

/// Text that starts and ends with a visible character (the reader trims, as Setup does).
fn visible(inner: &'static str, max: usize) -> impl Strategy<Value = String> {
    let edge = "[A-Za-z0-9&<>\"'äöüéß€.()-]";
    proptest::string::string_regex(&format!("{edge}({inner}{{0,{max}}}{edge})?")).expect("a valid pattern")
}

fn callback_url() -> impl Strategy<Value = String> {
    prop_oneof![
        "https://[a-z][a-z0-9]{0,10}(\\.[a-z]{2,6}){1,2}(:[1-9][0-9]{1,3})?(/[A-Za-z0-9_-]{1,10}){0,3}",
        "http://localhost:[1-9][0-9]{2,3}(/[A-Za-z0-9_-]{1,10}){0,2}",
    ]
}

fn names() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[A-Za-z][A-Za-z0-9 _-]{0,14}[A-Za-z0-9]", 0..3)
}

/// A pack and options for it.
fn case() -> impl Strategy<Value = (usize, Options)> {
    (0..pack::built_in().len()).prop_flat_map(|i| {
        let p = &pack::built_in()[i];
        // One value of each choice the pack declares.
        let choices: Vec<_> = p
            .params
            .iter()
            .filter(|(n, s)| s.kind_of(n) == Some(ParamKind::Choice))
            .map(|(n, s)| {
                let values: Vec<String> = s.values.iter().map(|v| v.value.clone()).collect();
                (Just(n.clone()), proptest::sample::select(values))
            })
            .collect();
        let opts = (
            "[A-Za-z]([A-Za-z0-9]|_[A-Za-z0-9]){0,30}",
            visible("[A-Za-z0-9&<>\"' äöüéß€.()-]", 40),
            "[a-z][a-z0-9.]{0,8}@[a-z]{1,8}\\.example",
            proptest::collection::vec(callback_url(), 1..3),
            choices,
            any::<bool>(),
            names(),
            names(),
        );
        (Just(i), opts).prop_map(|(i, (name, label, email, urls, choices, idp, profiles, sets))| {
            let p = &pack::built_in()[i];
            let mut params = Params {
                salesforce_idp: idp,
                choices: Pairs(choices),
                ..Params::default()
            };
            // The admin's callback URLs only where the pack and its choices name none (others
            // would be lines the pack does not use).
            let w = p.callbacks(&params);
            if w.all.is_empty() && w.any_of.is_empty() {
                params.callback_urls = urls;
            }
            let opts = Options {
                name,
                label,
                contact_email: email,
                params,
                profiles,
                permission_sets: sets,
                run_as: Some("integration@acme.example".into()),
                certificate: Some("-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAN\n-----END CERTIFICATE-----".into()),
                refresh_token_validity: Some(generate::Validity {
                    period: 90,
                    unit: "Days",
                }),
                ..Options::default()
            };
            (i, opts)
        })
    })
}

/// What the pack says of a snapshot that matters here: errors and warnings.
fn bad(p: &Pack, snap: &eca_guard::Snapshot, params: &Params) -> Vec<String> {
    eca_guard::check(snap, p, params)
        .into_iter()
        .filter(|f| matches!(f.severity, Severity::Error | Severity::Warning))
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn generated_apps_pass_their_pack_and_read_back_the_same((i, opts) in case()) {
        let p = &pack::built_in()[i];
        let files = match generate::generate(p, &opts) {
            Ok(g) => g.files,
            // Admin approval with nobody assigned is refused, rightly.
            Err(GenerateError::Assignment(_)) if opts.profiles.is_empty() && opts.permission_sets.is_empty() => {
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("{}: {e}", p.id))),
        };
        let written = generate::settings(p, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(bad(p, &written, &opts.params), Vec::<String>::new(), "{} in memory", p.id);

        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        for f in &files {
            let path = dir.path().join(&f.path);
            std::fs::create_dir_all(path.parent().unwrap_or(dir.path())).map_err(|e| TestCaseError::fail(e.to_string()))?;
            std::fs::write(&path, &f.contents).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let mut apps = Vec::new();
        let mut problems = Vec::new();
        eca_guard::metadata::walk(dir.path(), &eca_guard::metadata::Select::default(), &mut |e| match e {
            Event::App(a) => apps.push(a),
            Event::Problem(pr) => problems.push(pr),
        })
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(problems.is_empty(), "{}: {problems:#?}", p.id);
        prop_assert_eq!(apps.len(), 1, "{}", p.id);
        let app = &apps[0];
        let errors: Vec<_> = app.problems.iter().filter(|pr| pr.level == ProblemLevel::Error).collect();
        prop_assert!(errors.is_empty(), "{}: {errors:#?}", p.id);
        prop_assert_eq!(bad(p, &app.snapshot, &opts.params), Vec::<String>::new(), "{} read back", p.id);

        // Written then read: the same value for every setting the generated files hold.
        let parts = if p.app_type == AppType::ConnectedApp {
            vec![eca_guard::metadata::Part::ConnectedApp]
        } else {
            eca_guard::metadata::Part::COMPANIONS.iter().copied().chain([eca_guard::metadata::Part::Eca]).collect()
        };
        let mut compared = 0;
        for (f, v) in written.values() {
            let in_files = mapping::mapping(f).iter().any(|m| parts.contains(&m.part));
            if !(in_files || f == Field::ApiName) {
                continue;
            }
            prop_assert_eq!(app.snapshot.get(f), Some(v), "{}: {:?} written, read back", p.id, f);
            compared += 1;
        }
        prop_assert!(compared >= 8, "{}: only {compared} settings compared", p.id);
    }
}
