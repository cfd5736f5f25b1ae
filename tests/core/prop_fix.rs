//! Property: fixing one field clears exactly its findings. A page built to a pack's rules
//! (`library::good`) has some rules broken at once, each to a value the pack refuses; setting
//! one of them back removes that field's findings (and those of a combination naming it) and
//! leaves every other finding as it was, word for word; with all of them set back, the findings
//! are the correct page's again.

use eca_guard::pack::{self, Pack, Params, Rule};
use eca_guard::scopes;
use eca_guard::settings::{self, Field};
use eca_guard::snapshot::{Snapshot, Value};
use eca_guard::{Finding, Severity};
use proptest::prelude::*;

use crate::library::{good, params_for};

/// The combinations the checker reports whatever the pack (check/combos.rs), by the fields each
/// names: its finding belongs to both.
const COMBOS: &[(&str, [Field; 2])] = &[
    (
        "client-credentials-user",
        [Field::ClientCredentialsFlow, Field::ClientCredentialsUser],
    ),
    ("jwt-bearer-flow", [Field::JwtBearerFlow, Field::JwtBearerCertificate]),
    ("jwt-bearer-ip-relaxation", [Field::JwtBearerFlow, Field::IpRelaxation]),
    (
        "ip-relaxation-every-request",
        [Field::IpRelaxation, Field::EnforceIpRangesEveryRequest],
    ),
    (
        "permitted-users-assignment",
        [Field::PermittedUsers, Field::PermittedUsersAssignment],
    ),
    (
        "refresh-token-policy",
        [Field::RefreshTokenIdleLimit, Field::RefreshTokenPolicy],
    ),
];

/// Whether a finding is one of `field`'s.
fn belongs(f: &Finding, field: Field) -> bool {
    f.field == Some(field)
        || COMBOS
            .iter()
            .any(|(rule, fields)| f.rule == *rule && fields.contains(&field))
}

/// One way to break a rule: the field and the value that breaks it.
#[derive(Debug, Clone)]
struct Break {
    field: Field,
    value: Value,
}

/// The choice values a rule refuses, each spelt as a page or a file may show it.
fn refused_choices(field: Field, expect: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for c in field
        .spec()
        .choices()
        .iter()
        .filter(|c| !expect.iter().any(|e| e == c.value))
    {
        out.push(c.value.to_string());
        out.push(c.label().to_string());
        out.push(c.label().to_uppercase());
    }
    out
}

/// Every way `p`'s rules can be broken on `base`, one list per rule: the pack checks each of
/// these and must report it. The OAuth switch is left alone: off, it hides every other setting
/// of the section (check/mod.rs), so it is not a field of its own findings.
fn ways(p: &Pack, params: &Params, base: &Snapshot) -> Vec<Vec<Break>> {
    let mut out = Vec::new();
    for (key, rule) in p.rules.iter() {
        let Some(field) = settings::fields_of_pack_key(key).next() else {
            continue;
        };
        if field == Field::OauthEnabled {
            continue;
        }
        let b = |value: Value| Break { field, value };
        let list: Vec<Break> = match rule {
            Rule::Bool(r) => vec![b(Value::Bool(!r.expect))],
            Rule::Choice(r) => refused_choices(field, &r.expect)
                .into_iter()
                .map(|v| b(Value::Text(v)))
                .collect(),
            Rule::Scopes(r) => {
                let shown = base.list(field).map(<[String]>::to_vec).unwrap_or_default();
                let mut l = Vec::new();
                for (i, name) in r.require.iter().enumerate() {
                    let Some(s) = scopes::by_protocol_name(name) else {
                        continue;
                    };
                    let mut without = shown.clone();
                    without.retain(|x| *x != scopes::display(s));
                    if without.len() < shown.len() {
                        l.push(b(Value::List(without.clone())));
                        // The same page with an extra scope it does not need, as a file names it.
                        if i == 0 {
                            without.push("Chatter".into());
                            l.push(b(Value::List(without)));
                        }
                    }
                }
                l
            }
            Rule::Callback(_) => {
                let w = p.callbacks(params);
                let Some(url) = w.all.first().or_else(|| w.any_of.first().and_then(|g| g.first())) else {
                    continue;
                };
                let others: Vec<String> = base
                    .text(field)
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| l != url)
                    .map(str::to_string)
                    .collect();
                let with = |line: String| {
                    let mut lines = others.clone();
                    lines.push(line);
                    b(Value::Text(lines.join("\n")))
                };
                vec![
                    with("https://elsewhere.acme.example/callback".into()),
                    with(url.to_uppercase()),
                    with(format!("{url} https://elsewhere.acme.example")),
                    with(url.replacen("://", "://*.", 1)),
                ]
            }
            Rule::Fixed(_) => continue,
        };
        if !list.is_empty() {
            out.push(list);
        }
    }
    out
}

fn worse(f: &Finding) -> bool {
    matches!(f.severity, Severity::Error | Severity::Warning)
}

/// A pack, and the rules to break on its correct page: (rule, way) indices into `ways`.
fn case() -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
    let n = pack::built_in().len();
    (0..n)
        .prop_flat_map(|i| {
            let p = &pack::built_in()[i];
            let params = params_for(p);
            let sizes: Vec<usize> = ways(p, &params, &good(p, &params)).iter().map(Vec::len).collect();
            assert!(!sizes.is_empty(), "{}: no rule to break", p.id);
            let rules = proptest::sample::subsequence((0..sizes.len()).collect::<Vec<_>>(), 1..=sizes.len().min(3));
            (Just(i), Just(sizes), rules)
        })
        .prop_flat_map(|(i, sizes, rules)| {
            let picks: Vec<_> = rules.iter().map(|r| (Just(*r), 0..sizes[*r])).collect();
            (Just(i), picks)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fixing_one_field_clears_exactly_its_findings((i, picks) in case()) {
        let p = &pack::built_in()[i];
        let params = params_for(p);
        let base = good(p, &params);
        let all_ways = ways(p, &params, &base);
        let breaks: Vec<&Break> = picks.iter().map(|(r, w)| &all_ways[*r][*w]).collect();
        let correct = eca_guard::check(&base, p, &params);
        let mut broken = base.clone();
        for b in &breaks {
            broken.set(b.field, b.value.clone());
        }
        let before = eca_guard::check(&broken, p, &params);
        for b in &breaks {
            // Each break is reported, on its own field.
            prop_assert!(
                before.iter().any(|f| worse(f) && belongs(f, b.field) && !correct.contains(f)),
                "{}: {:?} = {:?} is not reported: {before:#?}", p.id, b.field, b.value
            );
        }
        for b in &breaks {
            let mut fixed = broken.clone();
            match base.get(b.field) {
                Some(v) => fixed.set(b.field, v.clone()),
                None => {
                    fixed.remove(b.field);
                }
            }
            let after = eca_guard::check(&fixed, p, &params);
            let others_before: Vec<&Finding> = before.iter().filter(|f| !belongs(f, b.field)).collect();
            let others_after: Vec<&Finding> = after.iter().filter(|f| !belongs(f, b.field)).collect();
            prop_assert_eq!(others_after, others_before, "{}: fixing {:?} changed other findings", p.id, b.field);
            let mine_after: Vec<&Finding> = after.iter().filter(|f| belongs(f, b.field)).collect();
            let mine_correct: Vec<&Finding> = correct.iter().filter(|f| belongs(f, b.field)).collect();
            // Only its own correct-page findings remain (a deviation, say), unless another
            // broken field shares a combination with it.
            let shared = breaks.iter().any(|o| o.field != b.field
                && COMBOS.iter().any(|(_, fs)| fs.contains(&o.field) && fs.contains(&b.field)));
            if !shared {
                prop_assert_eq!(mine_after, mine_correct, "{}: fixing {:?} left its findings", p.id, b.field);
            }
        }
        let mut all_fixed = broken.clone();
        for b in &breaks {
            match base.get(b.field) {
                Some(v) => all_fixed.set(b.field, v.clone()),
                None => {
                    all_fixed.remove(b.field);
                }
            }
        }
        prop_assert_eq!(eca_guard::check(&all_fixed, p, &params), correct);
    }
}
