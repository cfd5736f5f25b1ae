//! Reading settings out of parsed files, driven by the metadata mapping (`mapping.rs`): one
//! accumulator notes each value with where it came from, a bad value as one unreadable setting,
//! a value left out as Salesforce's documented default (or as unverified when there is none),
//! and two files that disagree about one setting.

use std::path::{Path, PathBuf};

use super::mapping::{self, Conv, Map};
use super::xml::{self, Doc, Node};
use super::{Part, Problem, ProblemLevel};
use crate::settings::Field;
use crate::snapshot::{IpRange, Snapshot, Value};

/// What the files of one app (or of one org) say, as they are read.
pub struct Acc {
    /// The settings so far.
    pub snap: Snapshot,
    /// Problems with the files.
    pub problems: Vec<Problem>,
    /// Where each value came from: file kind and line.
    pub locations: Vec<(Field, Part, usize)>,
    /// Settings a file left out with no documented default: unverified unless another file
    /// gives them.
    unverified: Vec<(Field, String)>,
}

/// One element's reading.
enum Got {
    /// A value, the line it is on, and whether it is the documented default.
    Value(Value, usize, bool),
    /// Left out, and no documented default.
    Absent,
    /// Unusable: why.
    Bad(String),
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_map(map: &Map, root: &Node) -> Got {
    let nodes = root.find(map.path);
    let first = nodes.first().copied();
    let line = first.map_or(root.line, |n| n.line);
    let element = map.path.rsplit('/').next().unwrap_or(map.path);
    let boolean = |default: Option<bool>| -> Result<Option<(bool, bool)>, String> {
        match first.and_then(Node::value) {
            Some(text) => xml::boolean(element, text).map(|b| Some((b, false))),
            None => Ok(default.map(|d| (d, true))),
        }
    };
    let got = |r: Result<Option<(bool, bool)>, String>, f: &dyn Fn(bool) -> Value| match r {
        Ok(Some((b, defaulted))) => Got::Value(f(b), line, defaulted),
        Ok(None) => Got::Absent,
        Err(e) => Got::Bad(e),
    };
    match map.conv {
        Conv::Bool { default } => got(boolean(default), &Value::Bool),
        Conv::NotBool { default } => got(boolean(default).map(|o| o.map(|(b, d)| (!b, d))), &Value::Bool),
        Conv::BoolChoice { on, off, default } => {
            got(boolean(Some(default)), &|b| Value::from(if b { on } else { off }))
        }
        Conv::Text => match first.and_then(Node::value) {
            Some(t) => Got::Value(Value::from(t), line, false),
            None => Got::Absent,
        },
        Conv::Values(values) => match first.and_then(Node::value) {
            Some(t) => {
                let v = values
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(t))
                    .map_or(t, |(_, v)| *v);
                Got::Value(Value::from(v), line, false)
            }
            None => Got::Absent,
        },
        Conv::CommaList => {
            let text = first.and_then(Node::value).unwrap_or_default();
            let items = text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            Got::Value(Value::List(items.collect()), line, false)
        }
        Conv::Repeated => Got::Value(
            Value::List(nodes.iter().filter_map(|n| n.value()).map(str::to_string).collect()),
            line,
            false,
        ),
        Conv::Present => Got::Value(Value::Bool(first.is_some_and(Node::present)), line, false),
        Conv::Ranges => {
            let text = |n: &Node, name: &str| {
                n.find(name)
                    .first()
                    .and_then(|c| c.value())
                    .unwrap_or_default()
                    .to_string()
            };
            let ranges = nodes.iter().map(|n| IpRange {
                start: text(n, "start"),
                end: text(n, "end"),
            });
            Got::Value(Value::Ranges(ranges.collect()), line, false)
        }
    }
}

/// Several elements of one file for one setting: all must be true; lists are joined.
fn combine(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Value::Bool(x && y),
        (Value::List(mut x), Value::List(y)) => {
            x.extend(y);
            Value::List(x)
        }
        (a, _) => a,
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Text(t) => t.clone(),
        Value::List(l) => l.join(", "),
        Value::Ranges(r) => format!("{} ranges", r.len()),
    }
}

impl Acc {
    /// A new accumulator for a snapshot.
    pub fn new(snap: Snapshot) -> Self {
        Acc {
            snap,
            problems: Vec::new(),
            locations: Vec::new(),
            unverified: Vec::new(),
        }
    }

    /// A problem with a file.
    pub fn problem(&mut self, path: &Path, reason: String, level: ProblemLevel) {
        self.problems.push(Problem {
            path: path.to_path_buf(),
            reason,
            level,
        });
    }

    /// Reads every setting file kind `part` holds out of `doc`.
    pub fn read(&mut self, part: Part, path: &Path, doc: &Doc) {
        let file = file_name(path);
        for field in mapping::fields_of(part) {
            let mut value: Option<(Value, usize, bool)> = None;
            for map in mapping::mapping(field).iter().filter(|m| m.part == part) {
                match read_map(map, &doc.root) {
                    Got::Value(v, line, defaulted) => {
                        value = Some(match value {
                            None => (v, line, defaulted),
                            Some((old, l, d)) => (combine(old, v), l, d && defaulted),
                        })
                    }
                    Got::Absent => self.unverified.push((
                        field,
                        format!(
                            "{file} does not set <{}>, and Salesforce documents no default",
                            map.path
                        ),
                    )),
                    Got::Bad(reason) => {
                        self.problem(path, reason.clone(), ProblemLevel::Error);
                        self.snap.unreadable(field, format!("{file}: {reason}"));
                        value = None;
                        break;
                    }
                }
            }
            if let Some((v, line, defaulted)) = value {
                self.set(field, part, path, v, line, defaulted);
            }
        }
    }

    /// Sets a value read from `part`, minding precedence (mapping order) and disagreement.
    fn set(&mut self, field: Field, part: Part, path: &Path, v: Value, line: usize, defaulted: bool) {
        if self.snap.is_unreadable(field) {
            return;
        }
        let rank = |p: Part| mapping::mapping(field).iter().position(|m| m.part == p);
        if let Some(i) = self.locations.iter().position(|(f, _, _)| *f == field) {
            let (_, earlier, _) = self.locations[i];
            let old = self.snap.get(field).cloned();
            if old.as_ref() != Some(&v) && !defaulted && !self.snap.defaulted.contains(&field) {
                let winner = if rank(part) < rank(earlier) { part } else { earlier };
                self.problem(
                    path,
                    format!(
                        "{} sets {} to {}, {} to {}: ECA Guard takes {}'s, the setting's own switch",
                        part.type_name(),
                        field.name(),
                        shown(&v),
                        earlier.type_name(),
                        old.as_ref().map(shown).unwrap_or_default(),
                        winner.type_name()
                    ),
                    ProblemLevel::Warning,
                );
            }
            let replace = rank(part) < rank(earlier) || (self.snap.defaulted.contains(&field) && !defaulted);
            if !replace {
                return;
            }
            self.locations.remove(i);
        }
        self.snap.defaulted.retain(|f| *f != field);
        if defaulted {
            self.snap.defaulted.push(field);
        }
        self.snap.set(field, v);
        self.locations.push((field, part, line));
    }

    /// A file that could not be read or parsed: every setting it holds is unreadable.
    pub fn failed(&mut self, part: Part, path: &Path, reason: &str) {
        let file = file_name(path);
        for f in part.fields() {
            self.snap.unreadable(f, format!("{file}: {reason}"));
        }
    }

    /// A companion file that is not there: its settings are unreadable, with `why`.
    pub fn missing(&mut self, part: Part, path: &Path, app: &str, why: &str) {
        self.problem(
            path,
            format!("missing companion file of app {app} ({}); {why}", part.type_name()),
            ProblemLevel::Error,
        );
        for f in part.fields() {
            self.snap.unreadable(f, format!("{} is missing", file_name(path)));
        }
    }

    /// Warns about a consumer secret kept in a file.
    pub fn secret_in(&mut self, path: &Path, doc: &Doc, element: &str) {
        if doc.root.find(element).first().is_some_and(|n| n.value().is_some()) {
            self.problem(
                path,
                "holds a <consumerSecret>: anyone who can read this file can act as the app; remove it from source control and rotate the secret".into(),
                ProblemLevel::Warning,
            );
        }
    }

    /// Warns when a companion file names another app in `<externalClientApplication>`.
    pub fn owner(&mut self, path: &Path, doc: &Doc, app: &str) {
        let named = doc.root.find("externalClientApplication");
        if let Some(o) = named.first().and_then(|n| n.value()).filter(|o| *o != app) {
            let o = o.to_string();
            self.problem(
                path,
                format!("<externalClientApplication> names `{o}`, but the file belongs to app `{app}` by its name"),
                ProblemLevel::Warning,
            );
        }
    }

    /// Settings that no file gave a value for and that a read file left out without a default.
    pub fn finish(mut self) -> (Snapshot, Vec<Problem>, Vec<(Field, Part, usize)>) {
        for (field, reason) in std::mem::take(&mut self.unverified) {
            if self.snap.get(field).is_none() && !self.snap.is_unreadable(field) {
                self.snap.unreadable(field, reason);
            }
        }
        (self.snap, self.problems, self.locations)
    }
}

/// Parses one file's text as metadata of kind `part`: well-formed XML whose root element is the
/// type's own; elements this reader does not know are a warning in `acc`. `Err` says why the
/// file cannot be used.
pub fn parse_part(part: Part, path: &Path, text: &str, acc: &mut Acc) -> Result<Doc, String> {
    let doc = xml::parse(text, part)?;
    if doc.root.name != part.type_name() {
        return Err(format!(
            "not {} metadata: the root element is <{}>, expected <{}>",
            part.type_name(),
            doc.root.name,
            part.type_name()
        ));
    }
    if !doc.unknown.is_empty() {
        acc.problem(
            path,
            format!(
                "unknown element{} <{}> ignored (a newer API version, or a typo?)",
                if doc.unknown.len() > 1 { "s" } else { "" },
                doc.unknown.join(">, <")
            ),
            ProblemLevel::Warning,
        );
    }
    Ok(doc)
}

/// The paths of a companion file of `app`, in the order tried: source format, Metadata API
/// format, then files that name the app inside (`extra`).
pub fn candidates(dir: &Path, part: Part, app: &str, extra: &[(Part, PathBuf)]) -> Vec<PathBuf> {
    let mut out = vec![
        dir.join(part.relative_path(app)),
        dir.join(part.mdapi_relative_path(app)),
    ];
    out.extend(extra.iter().filter(|(p, _)| *p == part).map(|(_, p)| p.clone()).take(1));
    out
}
