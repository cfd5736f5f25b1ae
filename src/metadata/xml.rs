//! Metadata files as XML: a small element tree with line numbers (quick-xml's reader), checked
//! for well-formedness, its root element, and elements this reader does not know. Values are
//! read from the tree by the settings' metadata mapping (`mapping.rs`), so a bad value
//! (`<isPkceRequired>yes`) makes that one setting unreadable instead of the whole file.

/// One element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    /// Local name (no namespace prefix).
    pub name: String,
    /// Its own text, unescaped (child elements' text not included).
    pub text: String,
    /// 1-based line of its start tag.
    pub line: usize,
    /// `xsi:nil="true"`: explicitly not set.
    pub nil: bool,
    /// Child elements, in order.
    pub children: Vec<Node>,
}

impl Node {
    /// Every element at `path` below this one (`a/b`: children `a`, then their children `b`).
    pub fn find<'a>(&'a self, path: &str) -> Vec<&'a Node> {
        let mut here: Vec<&Node> = vec![self];
        for seg in path.split('/') {
            here = here
                .iter()
                .flat_map(|n| n.children.iter().filter(|c| c.name == seg))
                .collect();
        }
        here
    }

    /// The trimmed text, unless empty or nil.
    pub fn value(&self) -> Option<&str> {
        let t = self.text.trim();
        (!self.nil && !t.is_empty()).then_some(t)
    }

    /// Whether it is there with content: text or child elements.
    pub fn present(&self) -> bool {
        !self.nil && (!self.text.trim().is_empty() || !self.children.is_empty())
    }
}

/// A parsed file: its root element and the unknown elements in it.
#[derive(Debug, Default)]
pub struct Doc {
    /// The root element.
    pub root: Node,
    /// Child elements this reader does not know, as `parent/child` paths (first few only).
    pub unknown: Vec<String>,
}

/// Why a file is not well-formed XML with one root element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// quick-xml refused it.
    #[error("malformed XML at line {line}: {reason}")]
    Malformed {
        /// 1-based line.
        line: usize,
        /// quick-xml's words.
        reason: String,
    },
    /// An entity other than the five XML defines.
    #[error("malformed XML at line {0}: unknown entity")]
    UnknownEntity(usize),
    /// Two top-level elements.
    #[error("a second root element at line {0}")]
    SecondRoot(usize),
    /// Text next to the root element.
    #[error("text outside the root element at line {0}")]
    TextOutside(usize),
    /// Elements still open at the end.
    #[error("the file ends inside <{0}>")]
    Unclosed(String),
    /// Nothing but a prolog, comments or whitespace.
    #[error("no XML element in the file")]
    Empty,
    /// Elements nested deeper than [`MAX_DEPTH`].
    #[error("elements nested more than {MAX_DEPTH} deep at line {0}")]
    TooDeep(usize),
}

/// A value that is not a metadata boolean.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("<{element}> is `{value}`, not true or false")]
pub struct NotBoolean {
    /// The element's name.
    pub element: String,
    /// Its text.
    pub value: String,
}

/// Converts a byte offset to a 1-based line number.
fn line_at(text: &str, pos: u64) -> usize {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// Line numbers of the offsets the reader moves through, which only grow: each stretch of the
/// text is counted once. (Counting from the start for every element made a file of many small
/// elements quadratic: 640 KB took a minute, and a 4 MB file, the reader's limit, would take
/// most of an hour.)
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// The line of byte offset `pos`.
    fn at(&mut self, pos: u64) -> usize {
        let end = usize::try_from(pos).unwrap_or(usize::MAX).min(self.text.len());
        if end < self.pos {
            // Never for the reader's positions; counted from the start rather than wrong.
            return self.text[..end].iter().filter(|b| **b == b'\n').count() + 1;
        }
        self.line += self.text[self.pos..end].iter().filter(|b| **b == b'\n').count();
        self.pos = end;
        self.line
    }
}

/// Elements nested deeper than this are refused. Metadata files nest three or four levels
/// (`ConnectedApp/oauthConfig/…`); the tree is dropped recursively, so half a million nested
/// elements (3.5 MB, within the reader's 4 MB file limit) overflowed the stack and aborted the CLI.
pub const MAX_DEPTH: usize = 64;

fn start(e: &quick_xml::events::BytesStart<'_>, line: usize) -> Node {
    let nil = e
        .attributes()
        .flatten()
        .any(|a| a.key.local_name().as_ref() == "nil" && a.value.as_ref() == "true");
    Node {
        name: e.local_name().as_ref().to_string(),
        line,
        nil,
        ..Node::default()
    }
}

/// Parses a file of kind `part`: well-formed, one root, unknown elements noted (depth 1, and
/// depth 2 below the containers [`known_children`] lists).
pub fn parse(text: &str, part: super::Part) -> Result<Doc, XmlError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut lines = Lines::new(text);
    loop {
        let at = reader.buffer_position();
        let line = lines.at(at);
        let event = reader.read_event().map_err(|e| XmlError::Malformed {
            line: line_at(text, reader.error_position()),
            reason: e.to_string(),
        })?;
        match event {
            Event::Start(e) => {
                if stack.is_empty() && root.is_some() {
                    return Err(XmlError::SecondRoot(line));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep(line));
                }
                stack.push(start(&e, line));
            }
            Event::Empty(e) => {
                let node = start(&e, line);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None if root.is_some() => return Err(XmlError::SecondRoot(line)),
                    None => root = Some(node),
                }
            }
            Event::End(_) => {
                let Some(node) = stack.pop() else { continue };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                match stack.last_mut() {
                    Some(n) => n.text.push_str(&s),
                    None if s.chars().any(|c| !c.is_whitespace()) => return Err(XmlError::TextOutside(line)),
                    None => {}
                }
            }
            Event::CData(c) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&c.xml10_content());
                }
            }
            // Entity and character references come as events of their own.
            Event::GeneralRef(r) => {
                let bad = || XmlError::UnknownEntity(line);
                let c = match r.resolve_char_ref().map_err(|_| bad())? {
                    Some(c) => c,
                    None => match r.into_inner().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        _ => return Err(bad()),
                    },
                };
                if let Some(n) = stack.last_mut() {
                    n.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        let open: Vec<&str> = stack.iter().map(|n| n.name.as_str()).collect();
        return Err(XmlError::Unclosed(open.join("> <")));
    }
    let root = root.ok_or(XmlError::Empty)?;
    let mut unknown = Vec::new();
    note_unknown(part, "", &root, &mut unknown);
    Ok(Doc { root, unknown })
}

fn note_unknown(part: super::Part, parent: &str, node: &Node, out: &mut Vec<String>) {
    let Some(list) = super::known::known_children(part, parent) else {
        return;
    };
    for c in &node.children {
        if !list.contains(&c.name.as_str()) {
            let path = if parent.is_empty() {
                c.name.clone()
            } else {
                format!("{parent}/{}", c.name)
            };
            if out.len() < 8 && !out.contains(&path) {
                out.push(path);
            }
        } else if parent.is_empty() {
            note_unknown(part, &c.name, c, out);
        }
    }
}

/// Reads a metadata boolean. `Err` names the value.
pub fn boolean(element: &str, value: &str) -> Result<bool, NotBoolean> {
    match value.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(NotBoolean {
            element: element.to_string(),
            value: other.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Part;
    use super::*;

    #[test]
    fn syntax_errors_name_the_line() {
        let err = |t: &str| parse(t, Part::Eca).err().map(|e| e.to_string()).unwrap_or_default();
        let e = err("<a>\n<b>\n</c>\n</a>");
        assert!(e.starts_with("malformed XML at line 3"), "{e}");
        let err = err("<a>\n<b>");
        assert!(err.contains("ends inside"), "{err}");
        assert!(parse("", Part::Eca).is_err());
        assert!(parse("just text", Part::Eca).is_err());
        assert!(parse("<a/><b/>", Part::Eca).is_err());
    }

    #[test]
    fn unknown_elements_only() {
        let d = parse(
            "<ExternalClientApplication><label>x</label><isShiny>true</isShiny></ExternalClientApplication>",
            Part::Eca,
        )
        .unwrap_or_default();
        assert_eq!(d.root.name, "ExternalClientApplication");
        assert_eq!(d.unknown, vec!["isShiny".to_string()]);
        let d = parse(
            "<ConnectedApp><oauthConfig><scopes>Full</scopes><isShiny/></oauthConfig></ConnectedApp>",
            Part::ConnectedApp,
        )
        .unwrap_or_default();
        assert_eq!(d.unknown, vec!["oauthConfig/isShiny".to_string()]);
    }

    #[test]
    fn values_lines_nil_and_escapes() {
        let d = parse(
            "<ConnectedApp xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n<oauthConfig>\n<callbackUrl>https://a?x=1&amp;y=2</callbackUrl>\n<scopes>Full</scopes><isAdminApproved xsi:nil=\"true\"/>\n<scopes>RefreshToken</scopes></oauthConfig></ConnectedApp>",
            Part::ConnectedApp,
        )
        .unwrap_or_default();
        let cb = d.root.find("oauthConfig/callbackUrl");
        assert_eq!(cb.first().and_then(|n| n.value()), Some("https://a?x=1&y=2"));
        assert_eq!(cb.first().map(|n| n.line), Some(3));
        let scopes: Vec<&str> = d
            .root
            .find("oauthConfig/scopes")
            .iter()
            .filter_map(|n| n.value())
            .collect();
        assert_eq!(scopes, ["Full", "RefreshToken"]);
        assert!(d
            .root
            .find("oauthConfig/isAdminApproved")
            .first()
            .is_some_and(|n| n.nil));
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |n: usize| format!("<ConnectedApp>{}{}</ConnectedApp>", "<a>".repeat(n), "</a>".repeat(n));
        assert!(parse(&nested(MAX_DEPTH - 1), Part::ConnectedApp).is_ok());
        assert_eq!(
            parse(&nested(MAX_DEPTH), Part::ConnectedApp).err(),
            Some(XmlError::TooDeep(1))
        );
        // Half a million levels (3.5 MB, within the reader's file limit) used to overflow the
        // stack when the tree was dropped, aborting the CLI.
        assert!(parse(&nested(500_000), Part::ConnectedApp).is_err());
    }

    #[test]
    fn lines_are_counted_once_and_right() {
        let text = format!(
            "<SecuritySettings>\n{}<x/>\n</SecuritySettings>",
            "<a/>\n".repeat(200_000)
        );
        let started = std::time::Instant::now();
        let d = parse(&text, Part::Security).unwrap_or_default();
        // Linear: well under a second in a release build; quadratic took minutes.
        assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
        assert_eq!(d.root.find("x").first().map(|n| n.line), Some(200_002));
        assert_eq!(d.root.find("a").get(9).map(|n| n.line), Some(11));
        let err = parse("<a>\n\n<b>\n</c>", Part::Eca)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("malformed XML at line 4"), "{err}");
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean("x", " true "), Ok(true));
        assert_eq!(boolean("x", "0"), Ok(false));
        assert!(boolean("x", "yes").is_err());
    }
}
