//! XML matching: semantic comparison (`equalToXml`) and XPath 1.0 (`matchesXPath`, the
//! templating `xPath` helper), on `sxd-document` trees and `sxd-xpath`.
//!
//! `equalToXml` compares the way WireMock's XMLUnit setup does: whitespace-only text
//! is dropped and text trimmed, comments, the XML declaration, the DOCTYPE and
//! namespace prefixes do not count, attribute order does not count, and sibling
//! elements are paired by name whatever their order (same-named siblings in order, or
//! by text with `ignoreOrderOfSameNode`). With `enablePlaceholders`, an expected text
//! or attribute value `${xmlunit.ignore}` matches anything (an absent text too) and
//! `${xmlunit.matchesRegex(re)}` a value the regex matches whole; the delimiters can
//! be changed with `placeholderOpeningDelimiterRegex` / `…ClosingDelimiterRegex`.
//! `namespaceAwareness` `STRICT` (the default) compares namespace URIs; `LEGACY` and
//! `NONE` compare local names only.
//!
//! [`xpath`] returns what WireMock hands a sub-matcher: the text of a text or
//! attribute node, the serialised XML of an element, the value of a scalar result
//! (numbers as Java's `NumberFormat` prints them, `1,234.5`).

use crate::error::{StubError, optional_bool};
use regex::Regex;
use serde_json::{Map, Value};
use sxd_document::dom::{ChildOfElement, ChildOfRoot, Element};
use sxd_document::parser;
use sxd_xpath::nodeset::Node;
use sxd_xpath::{Context, Factory, Value as XValue};

/// How `equalToXml` treats namespaces (WireMock's `NamespaceAwareness`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NamespaceAwareness {
    /// Namespace URIs are compared, prefixes are not.
    #[default]
    Strict,
    /// Local names only.
    Legacy,
    /// Local names only.
    None,
}

/// Options of `equalToXml`.
#[derive(Debug, Clone, Default)]
pub struct XmlOptions {
    /// `enablePlaceholders`.
    pub enable_placeholders: bool,
    /// `placeholderOpeningDelimiterRegex` (default `\$\{`).
    pub placeholder_open: Option<String>,
    /// `placeholderClosingDelimiterRegex` (default `\}`).
    pub placeholder_close: Option<String>,
    /// `ignoreOrderOfSameNode`: same-named siblings pair by their text, not their order.
    pub ignore_order_of_same_node: bool,
    /// `namespaceAwareness`.
    pub namespace_awareness: NamespaceAwareness,
    /// `exemptedComparisons` (XMLUnit comparison types no longer counted), as given.
    pub exempted: Vec<String>,
}

const COMPARISON_TYPES: &[&str] = &[
    "ELEMENT_TAG_NAME",
    "SCHEMA_LOCATION",
    "NO_NAMESPACE_SCHEMA_LOCATION",
    "NODE_TYPE",
    "NAMESPACE_URI",
    "TEXT_VALUE",
    "PROCESSING_INSTRUCTION_TARGET",
    "PROCESSING_INSTRUCTION_DATA",
    "ELEMENT_NUM_ATTRIBUTES",
    "ATTR_VALUE",
    "CHILD_NODELIST_LENGTH",
    "CHILD_LOOKUP",
    "ATTR_NAME_LOOKUP",
    "NAMESPACE_PREFIX",
    "CHILD_NODELIST_SEQUENCE",
    "XML_VERSION",
    "XML_STANDALONE",
    "XML_ENCODING",
    "HAS_DOCTYPE_DECLARATION",
    "DOCTYPE_NAME",
    "DOCTYPE_PUBLIC_ID",
    "DOCTYPE_SYSTEM_ID",
    "COMMENT_VALUE",
    "ELEMENT_NUM_CHILDREN",
    "ATTR_VALUE_EXPLICITLY_SPECIFIED",
];

impl XmlOptions {
    /// Reads the option fields of an `equalToXml` matcher at `pointer`.
    pub fn from_json(given: &Map<String, Value>, pointer: &str) -> Result<XmlOptions, StubError> {
        let at = |k: &str| format!("{pointer}/{k}");
        let flag = |k: &str| optional_bool(given, k, pointer).map(|b| b.unwrap_or(false));
        let text = |k: &str| -> Result<Option<String>, StubError> {
            match given.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => {
                    Regex::new(s).map_err(|e| StubError::new(at(k), format!("bad regex: {e}")))?;
                    Ok(Some(s.clone()))
                }
                Some(_) => Err(StubError::new(at(k), format!("{k} must be a string"))),
            }
        };
        let namespace_awareness = match given.get("namespaceAwareness") {
            None | Some(Value::Null) => NamespaceAwareness::Strict,
            Some(Value::String(s)) if s == "STRICT" => NamespaceAwareness::Strict,
            Some(Value::String(s)) if s == "LEGACY" => NamespaceAwareness::Legacy,
            Some(Value::String(s)) if s == "NONE" => NamespaceAwareness::None,
            Some(_) => {
                return Err(StubError::new(
                    at("namespaceAwareness"),
                    "namespaceAwareness must be STRICT, LEGACY or NONE",
                ));
            }
        };
        let exempted = match given.get("exemptedComparisons") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v.as_str() {
                    Some(s) if COMPARISON_TYPES.contains(&s) => Ok(s.to_owned()),
                    _ => Err(StubError::new(
                        format!("{pointer}/exemptedComparisons/{i}"),
                        format!(
                            "{v} is not an XMLUnit comparison type ({})",
                            COMPARISON_TYPES.join(", ")
                        ),
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(StubError::new(
                    at("exemptedComparisons"),
                    "exemptedComparisons must be an array",
                ));
            }
        };
        Ok(XmlOptions {
            enable_placeholders: flag("enablePlaceholders")?,
            placeholder_open: text("placeholderOpeningDelimiterRegex")?,
            placeholder_close: text("placeholderClosingDelimiterRegex")?,
            ignore_order_of_same_node: flag("ignoreOrderOfSameNode")?,
            namespace_awareness,
            exempted,
        })
    }

    fn counts(&self, comparison: &str) -> bool {
        !self.exempted.iter().any(|e| e == comparison)
    }
}

// ---------------------------------------------------------------- a comparable tree

#[derive(Debug, Clone, PartialEq)]
enum XNode {
    Element(XElement),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
struct XElement {
    namespace: Option<String>,
    local: String,
    /// (namespace, local name, value), sorted.
    attributes: Vec<(Option<String>, String, String)>,
    children: Vec<XNode>,
}

impl XElement {
    fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            match c {
                XNode::Text(t) => s.push_str(t),
                XNode::Element(e) => s.push_str(&e.text()),
            }
        }
        s
    }
}

fn parse_error(e: impl std::fmt::Debug) -> String {
    format!("the XML does not parse: {e:?}")
}

fn build(el: Element<'_>, aware: bool) -> XElement {
    let name = el.name();
    let mut attributes: Vec<(Option<String>, String, String)> = el
        .attributes()
        .iter()
        .map(|a| {
            let n = a.name();
            (
                n.namespace_uri().filter(|_| aware).map(str::to_owned),
                n.local_part().to_owned(),
                a.value().to_owned(),
            )
        })
        .collect();
    attributes.sort();
    let mut children = Vec::new();
    let mut pending = String::new();
    let flush = |pending: &mut String, children: &mut Vec<XNode>| {
        let t = pending.trim();
        if !t.is_empty() {
            children.push(XNode::Text(t.to_owned()));
        }
        pending.clear();
    };
    for c in el.children() {
        match c {
            // Adjacent text (split by a comment or CDATA) is one text node, as in DOM.
            ChildOfElement::Text(t) => pending.push_str(t.text()),
            ChildOfElement::Element(e) => {
                flush(&mut pending, &mut children);
                children.push(XNode::Element(build(e, aware)));
            }
            ChildOfElement::Comment(_) | ChildOfElement::ProcessingInstruction(_) => {}
        }
    }
    flush(&mut pending, &mut children);
    XElement {
        namespace: name.namespace_uri().filter(|_| aware).map(str::to_owned),
        local: name.local_part().to_owned(),
        attributes,
        children,
    }
}

fn parse_tree(xml: &str, aware: bool) -> Result<XElement, String> {
    let package = parser::parse(xml).map_err(parse_error)?;
    let doc = package.as_document();
    let root = doc
        .root()
        .children()
        .into_iter()
        .find_map(|c| match c {
            ChildOfRoot::Element(e) => Some(e),
            _ => None,
        })
        .ok_or_else(|| "the XML has no root element".to_owned())?;
    Ok(build(root, aware))
}

/// Checks that `expected` parses, for a stub error at load time.
pub fn check_document(expected: &str, opts: &XmlOptions) -> Result<(), String> {
    parse_tree(
        expected,
        opts.namespace_awareness == NamespaceAwareness::Strict,
    )
    .map(|_| ())
}

// ---------------------------------------------------------------- comparison

struct Placeholders {
    ignore: Regex,
    matches_regex: Regex,
}

impl Placeholders {
    fn new(opts: &XmlOptions) -> Option<Placeholders> {
        if !opts.enable_placeholders {
            return None;
        }
        let open = opts.placeholder_open.as_deref().unwrap_or(r"\$\{");
        let close = opts.placeholder_close.as_deref().unwrap_or(r"\}");
        Some(Placeholders {
            ignore: Regex::new(&format!(r"^\s*{open}\s*xmlunit\.ignore\s*{close}\s*$")).ok()?,
            matches_regex: Regex::new(&format!(
                r"^\s*{open}\s*xmlunit\.matchesRegex\((.*)\)\s*{close}\s*$"
            ))
            .ok()?,
        })
    }

    /// `Some(result)` when `expected` is a placeholder.
    fn check(&self, expected: &str, actual: Option<&str>) -> Option<bool> {
        if self.ignore.is_match(expected) {
            return Some(true);
        }
        let caps = self.matches_regex.captures(expected)?;
        let re = caps.get(1)?.as_str();
        let ok = actual
            .is_some_and(|a| crate::matcher::JavaRegex::whole(re).is_ok_and(|r| r.is_match(a)));
        Some(ok)
    }
}

/// Counts comparisons and differences the way WireMock's distance does.
struct Tally<'o> {
    opts: &'o XmlOptions,
    placeholders: Option<Placeholders>,
    comparisons: usize,
    differences: usize,
}

impl Tally<'_> {
    fn compare(&mut self, kind: &str, same: bool) {
        if !self.opts.counts(kind) {
            return;
        }
        self.comparisons += 1;
        if !same {
            self.differences += 1;
        }
    }

    fn values_equal(&self, expected: &str, actual: Option<&str>) -> bool {
        if let Some(p) = &self.placeholders
            && let Some(ok) = p.check(expected, actual)
        {
            return ok;
        }
        actual == Some(expected)
    }

    fn element(&mut self, e: &XElement, a: &XElement) {
        self.compare("ELEMENT_TAG_NAME", e.local == a.local);
        if e.namespace.is_some() || a.namespace.is_some() {
            self.compare("NAMESPACE_URI", e.namespace == a.namespace);
        }
        self.compare(
            "ELEMENT_NUM_ATTRIBUTES",
            e.attributes.len() == a.attributes.len(),
        );
        for (ns, local, value) in &e.attributes {
            let found = a
                .attributes
                .iter()
                .find(|(ns2, l2, _)| ns2 == ns && l2 == local);
            self.compare("ATTR_NAME_LOOKUP", found.is_some());
            if let Some((_, _, v2)) = found {
                let same = self.values_equal(value, Some(v2));
                self.compare("ATTR_VALUE", same);
            }
        }
        // A lone `${xmlunit.ignore}` text also matches an element with no text.
        let ignored_text = match e.children.as_slice() {
            [XNode::Text(t)] => {
                self.placeholders
                    .as_ref()
                    .is_some_and(|p| p.ignore.is_match(t))
                    && !a.children.iter().any(|c| matches!(c, XNode::Text(_)))
            }
            _ => false,
        };
        if ignored_text {
            return;
        }
        self.compare(
            "CHILD_NODELIST_LENGTH",
            e.children.len() == a.children.len(),
        );
        let texts = |el: &XElement| -> Vec<String> {
            el.children
                .iter()
                .filter_map(|c| match c {
                    XNode::Text(t) => Some(t.clone()),
                    XNode::Element(_) => None,
                })
                .collect()
        };
        let (et, at) = (texts(e), texts(a));
        for (i, t) in et.iter().enumerate() {
            let same = self.values_equal(t, at.get(i).map(String::as_str));
            self.compare("TEXT_VALUE", same);
        }
        let elements = |el: &XElement| -> Vec<XElement> {
            let mut v: Vec<XElement> = el
                .children
                .iter()
                .filter_map(|c| match c {
                    XNode::Element(x) => Some(x.clone()),
                    XNode::Text(_) => None,
                })
                .collect();
            // Pair siblings by name whatever their order (WireMock sorts both sides).
            if self.opts.ignore_order_of_same_node {
                v.sort_by_cached_key(|x| (x.local.clone(), x.text()));
            } else {
                v.sort_by(|x, y| x.local.cmp(&y.local));
            }
            v
        };
        let (ee, ae) = (elements(e), elements(a));
        let mut used = vec![false; ae.len()];
        for x in &ee {
            let partner = ae
                .iter()
                .enumerate()
                .find(|(j, y)| !used[*j] && y.local == x.local && y.namespace == x.namespace);
            self.compare("CHILD_LOOKUP", partner.is_some());
            if let Some((j, y)) = partner {
                used[j] = true;
                self.element(x, y);
            }
        }
        for u in used {
            if !u {
                self.compare("CHILD_LOOKUP", false);
            }
        }
    }
}

fn tally(expected: &str, actual: &str, opts: &XmlOptions) -> Option<(usize, usize)> {
    let aware = opts.namespace_awareness == NamespaceAwareness::Strict;
    let e = parse_tree(expected, aware).ok()?;
    let a = parse_tree(actual, aware).ok()?;
    let mut t = Tally {
        opts,
        placeholders: Placeholders::new(opts),
        comparisons: 0,
        differences: 0,
    };
    t.element(&e, &a);
    Some((t.comparisons, t.differences))
}

/// Whether `actual` is the same XML as `expected` (see the module doc for what counts).
pub fn equal_xml(expected: &str, actual: &str, opts: &XmlOptions) -> bool {
    tally(expected, actual, opts).is_some_and(|(_, d)| d == 0)
}

/// WireMock's distance: differing comparisons over counted ones; 1.0 when unreadable.
pub fn xml_distance(expected: &str, actual: &str, opts: &XmlOptions) -> f64 {
    match tally(expected, actual, opts) {
        Some((_, 0)) => 0.0,
        Some((c, d)) if c > 0 => d as f64 / c as f64,
        _ => 1.0,
    }
}

// ---------------------------------------------------------------- XPath

fn compile_xpath(expr: &str) -> Result<sxd_xpath::XPath, String> {
    Factory::new()
        .build(expr)
        .map_err(|e| format!("XPath {expr:?} does not parse: {e}"))?
        .ok_or_else(|| format!("XPath {expr:?} is empty"))
}

/// Checks that `expr` compiles, for a stub error at load time.
pub fn check_xpath(expr: &str, _namespaces: &[(String, String)]) -> Result<(), String> {
    compile_xpath(expr).map(|_| ())
}

/// Evaluates the XPath 1.0 `expr` on `xml` with `namespaces` (prefix, URI) bound, and
/// returns what WireMock gives a sub-matcher for each result: a text or attribute
/// node's text, an element's serialised XML, a scalar's value.
pub fn xpath(
    xml: &str,
    expr: &str,
    namespaces: &[(String, String)],
) -> Result<Vec<String>, String> {
    let compiled = compile_xpath(expr)?;
    let package = parser::parse(xml).map_err(parse_error)?;
    let document = package.as_document();
    let mut context = Context::new();
    for (prefix, uri) in namespaces {
        context.set_namespace(prefix, uri);
    }
    if let Some(prefix) = unbound_prefix(expr, namespaces) {
        return Err(format!(
            "XPath {expr:?} uses the prefix {prefix:?}, which xPathNamespaces does not bind"
        ));
    }
    // sxd-xpath panics on some inputs it cannot evaluate (an unbound prefix is checked
    // above); a panic here must not take the request down with it.
    let value = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        compiled.evaluate(&context, document.root())
    }))
    .map_err(|_| format!("XPath {expr:?} cannot be evaluated"))?
    .map_err(|e| format!("XPath {expr:?} fails: {e}"))?;
    Ok(match value {
        XValue::Nodeset(nodes) => nodes.document_order().iter().map(render_node).collect(),
        XValue::Boolean(b) => vec![b.to_string()],
        XValue::Number(n) => vec![java_number(n)],
        XValue::String(s) => vec![s],
    })
}

/// The first namespace prefix `expr` uses (`p:name`, `p:*`) that `namespaces` lacks;
/// axes (`child::`) and text in string literals are not prefixes.
fn unbound_prefix(expr: &str, namespaces: &[(String, String)]) -> Option<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '-' | '.'))
            {
                i += 1;
            }
            if chars.get(i) == Some(&':') && chars.get(i + 1) != Some(&':') {
                let prefix: String = chars[start..i].iter().collect();
                if prefix != "xml" && !namespaces.iter().any(|(p, _)| *p == prefix) {
                    return Some(prefix);
                }
            }
            if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
                i += 2;
            }
            continue;
        }
        i += 1;
    }
    None
}

fn render_node(node: &Node<'_>) -> String {
    match node {
        Node::Element(e) => {
            let mut out = String::new();
            serialise(*e, &[], &mut out);
            out
        }
        Node::Root(r) => {
            let mut out = String::new();
            for c in r.children() {
                if let ChildOfRoot::Element(e) = c {
                    serialise(e, &[], &mut out);
                }
            }
            out
        }
        Node::Namespace(ns) => ns.uri().to_owned(),
        other => other.string_value(),
    }
}

fn escape(text: &str, attribute: bool) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' if attribute => s.push_str("&quot;"),
            other => s.push(other),
        }
    }
    s
}

fn qualified(
    element: Element<'_>,
    ns: Option<&str>,
    local: &str,
    preferred: Option<&str>,
) -> String {
    match ns.and_then(|uri| element.prefix_for_namespace_uri(uri, preferred)) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}:{local}"),
        _ => local.to_owned(),
    }
}

/// Writes `e` as XML, declaring the namespaces in scope that `outer` did not.
fn serialise(e: Element<'_>, outer: &[(String, String)], out: &mut String) {
    let name = e.name();
    let in_default = e.recursive_default_namespace_uri();
    let el_name = if name.namespace_uri().is_some() && name.namespace_uri() == in_default {
        name.local_part().to_owned()
    } else {
        qualified(
            e,
            name.namespace_uri(),
            name.local_part(),
            e.preferred_prefix(),
        )
    };
    out.push('<');
    out.push_str(&el_name);
    let mut scope: Vec<(String, String)> = e
        .namespaces_in_scope()
        .iter()
        .filter(|n| n.prefix() != "xml")
        .map(|n| (n.prefix().to_owned(), n.uri().to_owned()))
        .collect();
    if let Some(d) = in_default {
        scope.push((String::new(), d.to_owned()));
    }
    for (prefix, uri) in &scope {
        if outer.iter().any(|(p, u)| p == prefix && u == uri) {
            continue;
        }
        if prefix.is_empty() {
            out.push_str(&format!(" xmlns=\"{}\"", escape(uri, true)));
        } else {
            out.push_str(&format!(" xmlns:{prefix}=\"{}\"", escape(uri, true)));
        }
    }
    for a in e.attributes() {
        let n = a.name();
        let an = qualified(e, n.namespace_uri(), n.local_part(), a.preferred_prefix());
        out.push_str(&format!(" {an}=\"{}\"", escape(a.value(), true)));
    }
    let children = e.children();
    if children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in children {
        match c {
            ChildOfElement::Element(child) => serialise(child, &scope, out),
            ChildOfElement::Text(t) => out.push_str(&escape(t.text(), false)),
            ChildOfElement::Comment(cm) => {
                out.push_str("<!--");
                out.push_str(cm.text());
                out.push_str("-->");
            }
            ChildOfElement::ProcessingInstruction(pi) => {
                out.push_str("<?");
                out.push_str(pi.target());
                if let Some(v) = pi.value() {
                    out.push(' ');
                    out.push_str(v);
                }
                out.push_str("?>");
            }
        }
    }
    out.push_str("</");
    out.push_str(&el_name);
    out.push('>');
}

/// A number as Java's default `NumberFormat` prints it: grouping commas, at most three
/// fraction digits (half-even), no trailing zeros; `NaN` and `∞` as Java spells them.
pub fn java_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "∞".into() } else { "-∞".into() };
    }
    let text = format!("{:.3}", n.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = frac.trim_end_matches('0');
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if n < 0.0 && (int != "0" || !frac.is_empty()) {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// `xml` re-indented with two spaces per level (no XML declaration), as WireMock
/// prints an expected document; None when it does not parse.
pub fn pretty_print(xml: &str) -> Option<String> {
    let package = parser::parse(xml).ok()?;
    let doc = package.as_document();
    let root = doc.root().children().into_iter().find_map(|c| match c {
        ChildOfRoot::Element(e) => Some(e),
        _ => None,
    })?;
    let mut out = String::new();
    pretty(root, 0, &[], &mut out);
    Some(out.trim_end().to_owned())
}

fn pretty(e: Element<'_>, depth: usize, outer: &[(String, String)], out: &mut String) {
    // Serialise the start tag via `serialise` on a childless view: simplest is to
    // render the element and split its start tag off.
    let mut whole = String::new();
    serialise(e, outer, &mut whole);
    let indent = "  ".repeat(depth);
    let elements: Vec<Element<'_>> = e
        .children()
        .into_iter()
        .filter_map(|c| match c {
            ChildOfElement::Element(x) => Some(x),
            _ => None,
        })
        .collect();
    if elements.is_empty() {
        out.push_str(&indent);
        // Text-only (or empty) elements stay on one line, their text trimmed.
        let text: String = e
            .children()
            .into_iter()
            .filter_map(|c| match c {
                ChildOfElement::Text(t) => Some(t.text().to_owned()),
                _ => None,
            })
            .collect();
        if text.trim().is_empty() && whole.ends_with("/>") {
            out.push_str(&whole);
        } else {
            let start = start_tag(&whole);
            let name = tag_name(start);
            out.push_str(start);
            out.push_str(&escape(text.trim(), false));
            out.push_str(&format!("</{name}>"));
        }
        out.push('\n');
        return;
    }
    let start = start_tag(&whole);
    let name = tag_name(start).to_owned();
    out.push_str(&indent);
    out.push_str(start);
    out.push('\n');
    let mut scope: Vec<(String, String)> = e
        .namespaces_in_scope()
        .iter()
        .map(|n| (n.prefix().to_owned(), n.uri().to_owned()))
        .collect();
    if let Some(d) = e.recursive_default_namespace_uri() {
        scope.push((String::new(), d.to_owned()));
    }
    for x in elements {
        pretty(x, depth + 1, &scope, out);
    }
    out.push_str(&indent);
    out.push_str(&format!("</{name}>\n"));
}

/// The start tag at the beginning of serialised XML.
fn start_tag(xml: &str) -> &str {
    let mut quote = None;
    for (i, c) in xml.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return &xml[..=i],
            _ => {}
        }
    }
    xml
}

fn tag_name(start: &str) -> &str {
    start
        .trim_start_matches('<')
        .split([' ', '>', '/'])
        .next()
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> XmlOptions {
        XmlOptions::default()
    }

    fn placeholders() -> XmlOptions {
        XmlOptions {
            enable_placeholders: true,
            ..XmlOptions::default()
        }
    }

    #[test]
    fn whitespace_attribute_order_and_sibling_order_do_not_count() {
        let e = "<a x=\"1\" y=\"2\"><b>one</b><c>two</c></a>";
        assert!(equal_xml(
            e,
            "<a y=\"2\" x=\"1\">\n  <b> one </b>\n  <c>two</c>\n</a>",
            &opts()
        ));
        assert!(equal_xml(
            e,
            "<?xml version=\"1.0\"?><a x=\"1\" y=\"2\"><c>two</c><!-- note --><b>one</b></a>",
            &opts()
        ));
        assert!(!equal_xml(
            e,
            "<a x=\"1\" y=\"3\"><b>one</b><c>two</c></a>",
            &opts()
        ));
        assert!(!equal_xml(
            e,
            "<a x=\"1\"><b>one</b><c>two</c></a>",
            &opts()
        ));
        assert!(!equal_xml(
            e,
            "<a x=\"1\" y=\"2\"><b>one</b><c>three</c></a>",
            &opts()
        ));
        assert!(!equal_xml(e, "<a x=\"1\" y=\"2\"><b>one</b></a>", &opts()));
        assert!(!equal_xml(
            e,
            "<a x=\"1\" y=\"2\"><b>one</b><c>two</c><d/></a>",
            &opts()
        ));
        assert!(!equal_xml(e, "not xml", &opts()));
    }

    #[test]
    fn same_named_siblings_pair_in_order_unless_told() {
        let e = "<list><i>1</i><i>2</i></list>";
        assert!(!equal_xml(e, "<list><i>2</i><i>1</i></list>", &opts()));
        let loose = XmlOptions {
            ignore_order_of_same_node: true,
            ..XmlOptions::default()
        };
        assert!(equal_xml(e, "<list><i>2</i><i>1</i></list>", &loose));
    }

    #[test]
    fn namespaces_compare_by_uri_not_prefix() {
        let e = "<a:thing xmlns:a=\"urn:x\"><a:v>1</a:v></a:thing>";
        assert!(equal_xml(
            e,
            "<b:thing xmlns:b=\"urn:x\"><b:v>1</b:v></b:thing>",
            &opts()
        ));
        assert!(!equal_xml(
            e,
            "<b:thing xmlns:b=\"urn:y\"><b:v>1</b:v></b:thing>",
            &opts()
        ));
        let none = XmlOptions {
            namespace_awareness: NamespaceAwareness::None,
            ..XmlOptions::default()
        };
        assert!(equal_xml(
            e,
            "<b:thing xmlns:b=\"urn:y\"><b:v>1</b:v></b:thing>",
            &none
        ));
    }

    #[test]
    fn placeholders_ignore_and_regex() {
        let e = "<r><id>${xmlunit.ignore}</id><n>${xmlunit.matchesRegex([a-z]+)}</n><t at=\"${xmlunit.ignore}\"/></r>";
        assert!(equal_xml(
            e,
            "<r><id>123</id><n>abc</n><t at=\"q\"/></r>",
            &placeholders()
        ));
        assert!(equal_xml(
            e,
            "<r><id/><n>abc</n><t at=\"q\"/></r>",
            &placeholders()
        ));
        assert!(!equal_xml(
            e,
            "<r><id>1</id><n>ABC</n><t at=\"q\"/></r>",
            &placeholders()
        ));
        assert!(
            !equal_xml(e, "<r><id>123</id><n>abc</n><t at=\"q\"/></r>", &opts()),
            "off by default"
        );
        let custom = XmlOptions {
            enable_placeholders: true,
            placeholder_open: Some(r"\[\[".into()),
            placeholder_close: Some(r"\]\]".into()),
            ..XmlOptions::default()
        };
        assert!(equal_xml("<r>[[xmlunit.ignore]]</r>", "<r>x</r>", &custom));
    }

    #[test]
    fn exempted_comparisons_stop_counting() {
        let e = "<a x=\"1\">t</a>";
        let exempt = XmlOptions {
            exempted: vec!["ATTR_VALUE".into(), "TEXT_VALUE".into()],
            ..XmlOptions::default()
        };
        assert!(equal_xml(e, "<a x=\"2\">u</a>", &exempt));
        assert!(!equal_xml(e, "<a x=\"2\">u</a>", &opts()));
    }

    #[test]
    fn distance_grows_with_differences() {
        let e = "<a><b>1</b><c>2</c><d>3</d></a>";
        let one = xml_distance(e, "<a><b>1</b><c>2</c><d>4</d></a>", &opts());
        let two = xml_distance(e, "<a><b>9</b><c>2</c><d>4</d></a>", &opts());
        assert!(one > 0.0 && one < two && two < 1.0, "{one} {two}");
        assert_eq!(xml_distance(e, e, &opts()), 0.0);
        assert_eq!(xml_distance(e, "{}", &opts()), 1.0);
    }

    #[test]
    fn xpath_nodes_attributes_and_scalars() {
        let doc = "<outer a=\"x\"><inner>one</inner><inner>two</inner></outer>";
        let none: &[(String, String)] = &[];
        assert_eq!(
            xpath(doc, "//inner/text()", none).unwrap(),
            vec!["one", "two"]
        );
        assert_eq!(xpath(doc, "/outer/@a", none).unwrap(), vec!["x"]);
        assert_eq!(
            xpath(doc, "/outer/inner[1]", none).unwrap(),
            vec!["<inner>one</inner>"]
        );
        assert_eq!(xpath(doc, "count(//inner)", none).unwrap(), vec!["2"]);
        assert_eq!(
            xpath(doc, "count(//inner) > 1", none).unwrap(),
            vec!["true"]
        );
        assert_eq!(
            xpath(doc, "string(/outer/inner[2])", none).unwrap(),
            vec!["two"]
        );
        assert_eq!(xpath(doc, "//missing", none).unwrap(), Vec::<String>::new());
        assert!(xpath(doc, "/\\!what?", none).is_err());
        assert!(xpath("not xml", "/a", none).is_err());
    }

    #[test]
    fn xpath_with_namespaces() {
        let doc = "<s:Envelope xmlns:s=\"urn:soap\"><s:Body><m:Get xmlns:m=\"urn:m\">42</m:Get></s:Body></s:Envelope>";
        let ns = vec![
            ("soap".to_owned(), "urn:soap".to_owned()),
            ("q".to_owned(), "urn:m".to_owned()),
        ];
        assert_eq!(
            xpath(doc, "/soap:Envelope/soap:Body/q:Get/text()", &ns).unwrap(),
            vec!["42"]
        );
        assert_eq!(
            xpath(doc, "//*[local-name()='Get']", &[]).unwrap(),
            vec!["<m:Get xmlns:m=\"urn:m\" xmlns:s=\"urn:soap\">42</m:Get>"],
            "a selected element declares the namespaces in scope, so it parses on its own"
        );
        assert!(
            xpath(doc, "/soap:Envelope", &[]).is_err(),
            "an unbound prefix is an error"
        );
    }

    #[test]
    fn java_number_format() {
        assert_eq!(java_number(2.0), "2");
        assert_eq!(java_number(1234.5678), "1,234.568");
        assert_eq!(java_number(-0.5), "-0.5");
        assert_eq!(java_number(1_000_000.0), "1,000,000");
    }

    #[test]
    fn pretty_printing() {
        assert_eq!(
            pretty_print("<a x=\"1\"><b>one</b><c/></a>").as_deref(),
            Some("<a x=\"1\">\n  <b>one</b>\n  <c/>\n</a>")
        );
        assert_eq!(pretty_print("<<"), None);
    }

    #[test]
    fn options_parse_errors_name_the_field() {
        let bad = |v: serde_json::Value| {
            XmlOptions::from_json(v.as_object().unwrap_or(&Map::new()), "/b").unwrap_err()
        };
        assert_eq!(
            bad(serde_json::json!({"enablePlaceholders": 3})).pointer,
            "/b/enablePlaceholders"
        );
        assert_eq!(
            bad(serde_json::json!({"namespaceAwareness": "SOME"})).pointer,
            "/b/namespaceAwareness"
        );
        assert_eq!(
            bad(serde_json::json!({"exemptedComparisons": ["NOPE"]})).pointer,
            "/b/exemptedComparisons/0"
        );
        assert_eq!(
            bad(serde_json::json!({"placeholderOpeningDelimiterRegex": "("})).pointer,
            "/b/placeholderOpeningDelimiterRegex"
        );
    }
}
