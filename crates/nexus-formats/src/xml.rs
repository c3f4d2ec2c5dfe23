//! A small element tree over quick-xml, with the line of every element, and
//! an escaping writer. Lists and reports are record-shaped: the reader builds
//! a tree only for each record element and hands it over, so a list of a
//! million entries streams in constant memory.
//!
//! Input from outside is bounded: [`XmlLimits`] caps the nesting depth (a
//! deeply nested document would otherwise exhaust the stack when its tree is
//! walked or dropped) and the number of elements of one record. Documents in
//! another encoding than UTF-8 are decoded first ([`decode_document`]): the
//! byte-order mark or the XML declaration names it, as the XML specification
//! says (windows-1251 is common in the region's banking systems).

use crate::error::{line_column, FormatError};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::borrow::Cow;
use std::path::Path;

/// Bounds on what one document may make the reader build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// Deepest element nesting (the root is depth 1).
    pub max_depth: usize,
    /// Most elements in one record (a list entry, a whole report).
    pub max_record_elements: usize,
}

impl Default for XmlLimits {
    /// Far above any real list or goAML report (depth ≤ 12), far below what
    /// could hurt the process.
    fn default() -> Self {
        XmlLimits {
            max_depth: 64,
            max_record_elements: 1_000_000,
        }
    }
}

/// The document as UTF-8: unchanged when it is UTF-8 (with or without a
/// byte-order mark, which is dropped), decoded when a UTF-16 byte-order mark
/// or the XML declaration's `encoding` names another encoding. An unknown
/// encoding name or bytes invalid in the named encoding are an error.
pub fn decode_document<'a>(path: &Path, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, FormatError> {
    let fail = |message: String| FormatError::Xml {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message,
    };
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding == encoding_rs::UTF_8 {
            return Ok(Cow::Borrowed(&bytes[bom..]));
        }
        return transcode(encoding, &bytes[bom..]).ok_or_else(|| {
            fail(format!(
                "the document is not valid {} (as its byte-order mark says)",
                encoding.name()
            ))
        });
    }
    // UTF-16 without a byte-order mark: `<` followed by a zero byte, or the reverse.
    if bytes.starts_with(b"<\0?\0") || bytes.starts_with(b"\0<\0?") {
        let encoding = if bytes[0] == b'<' {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        return transcode(encoding, bytes)
            .ok_or_else(|| fail(format!("the document is not valid {}", encoding.name())));
    }
    let Some(label) = declared_encoding(bytes) else {
        return Ok(Cow::Borrowed(bytes));
    };
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| {
        fail(format!(
            "the XML declaration names the encoding {label:?}, which is not known; use UTF-8 or windows-1251"
        ))
    })?;
    if encoding == encoding_rs::UTF_8 {
        return Ok(Cow::Borrowed(bytes));
    }
    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        // A single-byte declaration cannot be UTF-16 (it would start with a BOM or zero bytes).
        return Ok(Cow::Borrowed(bytes));
    }
    transcode(encoding, bytes).ok_or_else(|| {
        fail(format!(
            "the document is not valid {} (as its XML declaration says)",
            encoding.name()
        ))
    })
}

fn transcode<'a>(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> Option<Cow<'a, [u8]>> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| Cow::Owned(text.into_owned().into_bytes()))
}

/// The `encoding` pseudo-attribute of an XML declaration at the very start.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = bytes.strip_prefix(b"<?xml")?;
    let end = head.iter().take(512).position(|&b| b == b'>')?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")? + "encoding".len();
    let rest = decl[at..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let close = value.find(quote)?;
    Some(value[..close].trim().to_string())
}

/// An element with its text (concatenated, entity-decoded, trimmed) and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// 1-based line of the start tag.
    pub line: u64,
}

impl Node {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children called `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child called `name`, or "".
    pub fn child_text(&self, name: &str) -> &str {
        self.child(name).map_or("", |c| c.text.as_str())
    }

    /// Texts of the `VALUE` children of child `name` (UN list style), non-empty only.
    pub fn values(&self, name: &str) -> Vec<String> {
        self.children_named(name)
            .flat_map(|c| c.children_named("VALUE"))
            .map(|v| v.text.clone())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn xml_error(path: &Path, bytes: &[u8], offset: usize, message: String) -> FormatError {
    let (line, column) = line_column(bytes, offset);
    FormatError::Xml {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// Parses `bytes`, calling `on_record` with the subtree of every element whose
/// name is in `records`, and `on_root` once with the root's name and
/// attributes. Text outside records is ignored. Checks well-formedness,
/// within the default [`XmlLimits`].
pub fn stream_records(
    path: &Path,
    bytes: &[u8],
    records: &[&str],
    on_root: impl FnMut(&Node) -> Result<(), FormatError>,
    on_record: impl FnMut(Node) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    stream_records_within(
        path,
        bytes,
        records,
        XmlLimits::default(),
        on_root,
        on_record,
    )
}

/// [`stream_records`] within `limits`: a document nested deeper or with a
/// larger record is refused at the element that crosses the limit.
pub fn stream_records_within(
    path: &Path,
    bytes: &[u8],
    records: &[&str],
    limits: XmlLimits,
    mut on_root: impl FnMut(&Node) -> Result<(), FormatError>,
    mut on_record: impl FnMut(Node) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let decoded = decode_document(path, bytes)?;
    let bytes: &[u8] = &decoded;
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    // Stack of open elements inside a record (empty when outside).
    let mut stack: Vec<Node> = Vec::new();
    let mut depth = 0usize;
    // Elements of the record being built.
    let mut record_elements = 0usize;
    let mut seen_root = false;
    // Lines are counted incrementally: recounting from the start for every
    // element would make a large list quadratic.
    let mut line_at = (0usize, 1u64);
    let mut line_of = |pos: usize| -> u64 {
        let (last, line) = line_at;
        let pos = pos.min(bytes.len());
        let extra = if pos >= last {
            bytes[last..pos].iter().filter(|&&b| b == b'\n').count() as u64
        } else {
            return line_column(bytes, pos).0;
        };
        line_at = (pos, line + extra);
        line + extra
    };
    loop {
        let pos = reader.buffer_position() as usize;
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(path, bytes, reader.error_position() as usize, e.to_string()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                if depth + 1 > limits.max_depth {
                    return Err(xml_error(
                        path,
                        bytes,
                        pos,
                        format!(
                            "elements are nested deeper than {} levels; no real document is",
                            limits.max_depth
                        ),
                    ));
                }
                if !stack.is_empty() {
                    record_elements += 1;
                    if record_elements > limits.max_record_elements {
                        return Err(xml_error(
                            path,
                            bytes,
                            pos,
                            format!(
                                "a record has more than {} elements",
                                limits.max_record_elements
                            ),
                        ));
                    }
                } else {
                    record_elements = 1;
                }
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let mut node = Node {
                    name,
                    line: line_of(pos),
                    ..Node::default()
                };
                for a in e.attributes() {
                    let a = a.map_err(|err| xml_error(path, bytes, pos, err.to_string()))?;
                    let v = a
                        .unescape_value()
                        .map_err(|err| xml_error(path, bytes, pos, err.to_string()))?;
                    node.attributes.push((
                        String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                        v.into_owned(),
                    ));
                }
                if !seen_root {
                    seen_root = true;
                    on_root(&node)?;
                    if records.is_empty() || records.contains(&node.name.as_str()) {
                        // The root itself is the record (a goAML report, or
                        // any document when no record names are given).
                        if is_empty {
                            on_record(node)?;
                        } else {
                            stack.push(node);
                            depth += 1;
                        }
                        buf.clear();
                        continue;
                    }
                    if !is_empty {
                        depth += 1;
                    }
                    buf.clear();
                    continue;
                }
                let inside = !stack.is_empty() || records.contains(&node.name.as_str());
                if inside {
                    if is_empty {
                        match stack.last_mut() {
                            Some(parent) => parent.children.push(node),
                            None => on_record(node)?,
                        }
                    } else {
                        stack.push(node);
                    }
                }
                if !is_empty {
                    depth += 1;
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if let Some(mut node) = stack.pop() {
                    node.text = node.text.trim().to_string();
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => on_record(node)?,
                    }
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t
                        .unescape()
                        .map_err(|e| xml_error(path, bytes, pos, e.to_string()))?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => {
                if depth != 0 || !stack.is_empty() {
                    return Err(xml_error(
                        path,
                        bytes,
                        bytes.len(),
                        "unexpected end of document: an element is not closed".into(),
                    ));
                }
                if !seen_root {
                    return Err(xml_error(
                        path,
                        bytes,
                        0,
                        "no root element: the file is empty or not XML".into(),
                    ));
                }
                return Ok(());
            }
            _ => {}
        }
        buf.clear();
    }
}

/// Parses a whole small document into one tree (the root).
pub fn parse_document(path: &Path, bytes: &[u8]) -> Result<Node, FormatError> {
    parse_document_within(path, bytes, XmlLimits::default())
}

/// [`parse_document`] within `limits` (the whole document is one record).
pub fn parse_document_within(
    path: &Path,
    bytes: &[u8],
    limits: XmlLimits,
) -> Result<Node, FormatError> {
    let mut found = None;
    stream_records_within(
        path,
        bytes,
        &[],
        limits,
        |_| Ok(()),
        |n| {
            found = Some(n);
            Ok(())
        },
    )?;
    found.ok_or_else(|| xml_error(path, bytes, 0, "no root element".into()))
}

/// Escapes text for element content and attribute values.
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
}

/// A pretty-printing XML writer for the record-shaped documents nexus writes.
pub struct XmlWriter {
    out: String,
    depth: usize,
    indent: &'static str,
}

impl XmlWriter {
    pub fn new(indent: &'static str) -> XmlWriter {
        let mut out = String::with_capacity(4096);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
        XmlWriter {
            out,
            depth: 0,
            indent,
        }
    }

    fn pad(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str(self.indent);
        }
    }

    /// Opens `<name attr="…">`.
    pub fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.pad();
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attributes {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            escape(v, &mut self.out);
            self.out.push('"');
        }
        self.out.push_str(">\n");
        self.depth += 1;
    }

    pub fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.pad();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name>text</name>`, or `<name/>` when text is empty.
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.pad();
        if text.is_empty() {
            self.out.push('<');
            self.out.push_str(name);
            self.out.push_str("/>\n");
            return;
        }
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        escape(text, &mut self.out);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name>text</name>` only when text is non-empty.
    pub fn leaf_opt(&mut self, name: &str, text: &str) {
        if !text.is_empty() {
            self.leaf(name, text);
        }
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_records_with_lines() {
        let doc = b"<?xml version=\"1.0\"?>\n<L a=\"1\">\n <R><N>x &amp; y</N><E/></R>\n <R><N>z</N></R>\n</L>\n";
        let mut got = Vec::new();
        let mut root = String::new();
        stream_records(
            Path::new("t.xml"),
            doc,
            &["R"],
            |r| {
                root = r.attribute("a").unwrap_or("").to_string();
                Ok(())
            },
            |n| {
                got.push(n);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(root, "1");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].child_text("N"), "x & y");
        assert_eq!(got[0].line, 3);
        assert!(got[0].child("E").is_some());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_xml_never_panics(text in "[<>/a-zA-Z \"=&;\n!?ҷ-]{0,200}") {
            let _ = parse_document(Path::new("p.xml"), text.as_bytes());
            let _ = crate::unlist::parse_un_list(Path::new("p.xml"), text.as_bytes());
        }
    }

    #[test]
    fn malformed_is_located() {
        let doc = b"<L>\n<R><N>x</M></R>\n</L>";
        let e = stream_records(Path::new("t.xml"), doc, &["R"], |_| Ok(()), |_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.xml: line 2"), "{e}");
        let e = parse_document(Path::new("t.xml"), b"<L><R>")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not closed"), "{e}");
        assert!(parse_document(Path::new("t.xml"), b"").is_err());
    }
}
