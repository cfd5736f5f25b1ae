//! `eca-guard packs lint FILE` and `eca-guard packs schema`: a pack file checked against the
//! pack format's JSON Schema (`docs/pack.schema.json`, built from the core's settings table),
//! then by the core itself (sources cited, parameters declared, URLs); every problem with its
//! line, its reason and a fix. Exit status as for `check`: 0 clean, 1 problems, 2 unreadable.

use std::path::Path;
use std::process::ExitCode;

use eca_guard::pack;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::{fail, EXIT_INPUT};

/// One problem.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
    /// What to do.
    pub fix: String,
}

/// Byte offset of the value at a JSON pointer (`/rules/requirePkce/expect`), found by walking
/// the text: of its key, for an object member, so the line is the one a person looks at.
fn offset_of(text: &str, pointer: &str) -> Option<usize> {
    let want: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let b = text.as_bytes();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let string_end = |mut i: usize| -> usize {
        i += 1;
        while i < b.len() && b[i] != b'"' {
            i += if b[i] == b'\\' { 2 } else { 1 };
        }
        i + 1
    };
    // Skips one value starting at i (after whitespace); returns the offset after it.
    fn skip(b: &[u8], mut i: usize, string_end: &dyn Fn(usize) -> usize) -> usize {
        match b.get(i) {
            Some(b'"') => string_end(i),
            Some(b'{') | Some(b'[') => {
                let mut depth = 0;
                while i < b.len() {
                    match b[i] {
                        b'"' => {
                            i = string_end(i);
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return i + 1;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i
            }
            _ => {
                while i < b.len() && !matches!(b[i], b',' | b'}' | b']') && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                i
            }
        }
    }
    ws(&mut i);
    let mut at = i;
    for seg in &want {
        match b.get(i) {
            Some(b'{') => {
                i += 1;
                loop {
                    ws(&mut i);
                    if b.get(i) != Some(&b'"') {
                        return Some(at);
                    }
                    let end = string_end(i);
                    let key = serde_json::from_slice::<String>(&b[i..end]).ok()?;
                    let key_at = i;
                    i = end;
                    ws(&mut i);
                    i += 1; // ':'
                    ws(&mut i);
                    if key == *seg {
                        at = key_at;
                        break;
                    }
                    i = skip(b, i, &string_end);
                    ws(&mut i);
                    if b.get(i) == Some(&b',') {
                        i += 1;
                    }
                }
            }
            Some(b'[') => {
                let n: usize = seg.parse().ok()?;
                i += 1;
                for _ in 0..n {
                    ws(&mut i);
                    i = skip(b, i, &string_end);
                    ws(&mut i);
                    i += 1; // ','
                }
                ws(&mut i);
                at = i;
            }
            _ => return Some(at),
        }
    }
    Some(at)
}

fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|c| **c == b'\n')
        .count()
        + 1
}

fn fix_for(kind: &ValidationErrorKind, pointer: &str) -> String {
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let near: Vec<String> = unexpected
                .iter()
                .filter_map(|u| {
                    let u = u.to_ascii_lowercase();
                    eca_guard::settings::pack_keys()
                        .into_iter()
                        .find(|k| k.to_ascii_lowercase().contains(&u) || u.contains(&k.to_ascii_lowercase()))
                        .map(|k| format!("`{k}`"))
                })
                .collect();
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!(" Did you mean {}?", near.join(", "))
            };
            format!(
                "Remove `{}` or correct its spelling (`eca-guard packs schema` lists what may be there).{hint}",
                unexpected.join("`, `")
            )
        }
        ValidationErrorKind::Required { property } => format!("Add {property} at {pointer}."),
        ValidationErrorKind::Enum { options } => format!("Use one of {options}."),
        ValidationErrorKind::Type { kind } => format!("Write {kind:?} here.")
            .to_lowercase()
            .replace("write ", "Write a "),
        ValidationErrorKind::Pattern { pattern } => format!("Write a value that matches {pattern}."),
        ValidationErrorKind::MinItems { limit } => format!("List at least {limit}."),
        _ => "Compare with docs/pack.schema.json and a built-in pack (eca-guard packs --format json).".into(),
    }
}

/// Every problem of a pack's text.
pub fn lint(text: &str) -> Vec<Problem> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return vec![Problem {
                line: Some(e.line()),
                reason: format!("not JSON: {e}"),
                fix: "Correct the JSON syntax at that line (a missing comma or quote is usual).".into(),
            }]
        }
    };
    let schema = pack::schema::schema();
    let Ok(validator) = jsonschema::validator_for(&schema) else {
        return vec![Problem {
            line: None,
            reason: "the pack schema does not compile (a defect in eca-guard)".into(),
            fix: "Report this.".into(),
        }];
    };
    let mut out: Vec<Problem> = validator
        .iter_errors(&value)
        .map(|e| {
            let pointer = e.instance_path().as_str().to_string();
            Problem {
                line: offset_of(text, &pointer).map(|o| line_at(text, o)),
                reason: format!("{}: {}", if pointer.is_empty() { "/" } else { &pointer }, e.masked()),
                fix: fix_for(e.kind(), if pointer.is_empty() { "the top" } else { &pointer }),
            }
        })
        .collect();
    // What the schema cannot say (a cited source that is not listed, an undeclared parameter):
    // the core's own validation, once the shape is right.
    if out.is_empty() {
        if let Err(e) = pack::parse(text) {
            let line = match &e {
                eca_guard::Error::PackSyntax { line, .. } => Some(*line),
                eca_guard::Error::PackInvalid { line, .. } => *line,
                _ => None,
            };
            out.push(Problem {
                line,
                reason: e.to_string(),
                fix: "Correct the value the message names.".into(),
            });
        }
    }
    out
}

/// What holds of [`lint`] on any text, asserted (the `packs_lint` fuzz target runs it on
/// arbitrary text; the tests below replay its reproducers, `fuzz/regressions/packs_lint/`):
/// lines are within the text, every problem has a reason and a fix, and a pack the core accepts
/// lints clean, since the schema is built from the same settings table as the parser.
#[cfg(any(test, fuzzing))]
pub fn assert_holds(text: &str) {
    let problems = lint(text);
    let lines = text.matches('\n').count() + 1;
    for p in &problems {
        assert!(
            p.line.is_none_or(|l| l >= 1 && l <= lines),
            "line {:?} of {lines}",
            p.line
        );
        assert!(!p.reason.is_empty() && !p.fix.is_empty(), "{p:?}");
    }
    if pack::parse(text).is_ok() {
        assert!(
            problems.is_empty(),
            "the core accepts it, the lint does not: {problems:#?}"
        );
    }
}

/// Runs `eca-guard packs lint FILE`.
pub fn run(path: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return fail(format!("{}: {e}", path.display())),
    };
    let problems = lint(&text);
    for p in &problems {
        let at = p.line.map(|l| format!(":{l}")).unwrap_or_default();
        println!("{}{at}: error: {}", path.display(), p.reason);
        println!("    fix: {}", p.fix);
    }
    if problems.is_empty() {
        println!("{}: ok", path.display());
        ExitCode::SUCCESS
    } else {
        println!(
            "{}: {} problem{}",
            path.display(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        ExitCode::from(1)
    }
}

/// Runs `eca-guard packs schema`.
pub fn print_schema() -> ExitCode {
    match serde_json::to_string_pretty(&pack::schema::schema()) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("eca-guard: {e}");
            ExitCode::from(EXIT_INPUT)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_find_their_line() {
        let text = "{\n  \"a\": 1,\n  \"rules\": {\n    \"x\": {\"y\": [1,\n 2]}\n  }\n}";
        assert_eq!(offset_of(text, "/rules/x").map(|o| line_at(text, o)), Some(4));
        assert_eq!(offset_of(text, "/rules/x/y/1").map(|o| line_at(text, o)), Some(5));
        assert_eq!(offset_of(text, "/a").map(|o| line_at(text, o)), Some(2));
        assert_eq!(offset_of(text, "").map(|o| line_at(text, o)), Some(1));
    }

    #[test]
    fn fuzz_reproducers_and_corpus_hold() {
        let fuzz = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz");
        let mut corpus = 0;
        for dir in ["regressions", "corpus"] {
            let files = std::fs::read_dir(format!("{fuzz}/{dir}/packs_lint"))
                .into_iter()
                .flatten()
                .flatten();
            for entry in files {
                let bytes = std::fs::read(entry.path()).unwrap_or_default();
                let caught = std::panic::catch_unwind(|| assert_holds(&String::from_utf8_lossy(&bytes)));
                assert!(caught.is_ok(), "{} fails", entry.path().display());
                corpus += usize::from(dir == "corpus");
            }
        }
        assert!(corpus > 0, "no corpus in {fuzz}/corpus/packs_lint");
    }

    #[test]
    fn built_in_packs_lint_clean() {
        for json in pack::built_in_json() {
            assert_eq!(lint(json), [], "{}", &json[..60]);
        }
    }

    #[test]
    fn broken_pack_gets_every_problem_with_line_and_fix() {
        let text = "{\n  \"id\": \"Acme Sync\",\n  \"name\": \"Acme\",\n  \"sources\": [],\n  \"rules\": {\n    \"pkce\": {\"expect\": true, \"source\": \"doc\"},\n    \"ipRelaxation\": {\"expect\": [\"Relaxed\"], \"source\": \"doc\"}\n  }\n}\n";
        let p = lint(text);
        assert!(p.len() >= 3, "{p:#?}");
        let line = |needle: &str| p.iter().find(|x| x.reason.contains(needle)).and_then(|x| x.line);
        assert_eq!(line("/id"), Some(2));
        assert_eq!(line("pkce"), Some(5), "{p:#?}");
        assert_eq!(line("/rules/ipRelaxation/expect/0"), Some(7));
        assert!(p.iter().all(|x| !x.fix.is_empty()));
        assert!(p.iter().any(|x| x.fix.contains("Did you mean `requirePkce`")), "{p:#?}");
        let dangling = lint("{\"id\":\"a\",\"name\":\"A\",\"sources\":[],\n\"rules\":{\"requirePkce\":{\"expect\":true,\"source\":\"nowhere\"}}}");
        assert_eq!(dangling.len(), 1);
        assert!(
            dangling[0].reason.contains("nowhere") && dangling[0].line == Some(2),
            "{dangling:#?}"
        );
    }
}
