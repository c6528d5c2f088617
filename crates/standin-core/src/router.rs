//! Routing: from method and path to an operation, in time that does not grow with the
//! number of operations.
//!
//! Templates go into one matchit tree keyed by their shape (`/users/{p0}`), so literal
//! segments beat parameters and lookups are a trie walk. The few templates matchit cannot
//! hold (two parameters in one segment such as `/files/{name}.{ext}`, Google-style
//! `{name=projects/*}`) go to an ordered regex list tried after the tree misses. Each
//! route keeps a small method table; the parameter names are per operation, since two
//! operations may name the same position differently.

use http::Method;
use regex::Regex;

use crate::wire;

/// Which operation: the document (source) index and the operation index within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OpRef {
    /// Index of the document in the snapshot.
    pub doc: usize,
    /// Index of the operation in the document.
    pub op: usize,
}

#[derive(Debug)]
struct Entry {
    method: Method,
    op: OpRef,
    /// Parameter names in the order they appear in the template.
    names: Vec<String>,
    /// What the request must carry besides the path: see [`split_condition`].
    when: Vec<(String, Cond)>,
}

/// The value the request carries as `name` (a header, a query parameter or a form
/// field), if any.
pub type Probe<'r> = &'r dyn Fn(&str) -> Option<String>;

/// What a template asks of one request value besides the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// `name` alone: present, with any value.
    Present,
    /// `name=value`: exactly this value.
    Equals(String),
    /// `name={param}`: present, and its value is the parameter `param`.
    Capture(String),
}

/// A template's path and what else tells its operation from others at that path: the
/// pairs after a `#` or `?` outside braces. AWS documents key operations as
/// `/#X-Amz-Target=Service.Op` (JSON protocols: a header), `/#Action=AssumeRole&Version=…`
/// (query protocols: query or form fields) or `/tags#operation=tag-resource`; some
/// documents write a query into a path key (`/search?query={query}`).
pub fn split_condition(template: &str) -> (&str, Vec<(String, Cond)>) {
    let mut depth = 0usize;
    let cut = template.char_indices().find(|&(_, c)| {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '#' | '?' if depth == 0 => return true,
            _ => {}
        }
        false
    });
    let Some((i, _)) = cut else {
        return (template, Vec::new());
    };
    let when = template[i + 1..]
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => match v.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
                Some(param) => (k.to_string(), Cond::Capture(param.to_string())),
                None => (k.to_string(), Cond::Equals(v.to_string())),
            },
            None => (p.to_string(), Cond::Present),
        })
        .collect();
    let path = &template[..i];
    let path = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    (path, when)
}

#[derive(Debug, Default)]
struct Route {
    entries: Vec<Entry>,
    /// Whether this route is the unprefixed alias of a templated path with a base path.
    alias: bool,
}

/// What a lookup found.
#[derive(Debug)]
pub enum Found<'a> {
    /// The operation, with decoded path parameters.
    Operation {
        /// Which operation.
        op: OpRef,
        /// Path parameters, name → percent-decoded value.
        params: Vec<(&'a str, String)>,
        /// Whether a HEAD request was answered by the GET operation.
        head_from_get: bool,
    },
    /// The path exists but not for this method.
    MethodNotAllowed {
        /// The methods the path has.
        allowed: Vec<Method>,
    },
    /// A template matches only with a path parameter empty (`/pets/` against
    /// `/pets/{petId}`): a required parameter missing, answered 422 as Prism does.
    EmptyParameter {
        /// The operation the rest of the path matches.
        op: OpRef,
        /// The parameter left empty.
        name: &'a str,
        /// Path parameters, the empty one as `""`.
        params: Vec<(&'a str, String)>,
    },
    /// No template matches.
    NotFound,
}

/// Why a template could not be added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    /// The operation that already holds the method and shape.
    pub existing: OpRef,
    /// The full template that clashed.
    pub template: String,
}

/// The route table of a snapshot.
#[derive(Debug, Default)]
pub struct Router {
    tree: matchit::Router<usize>,
    routes: Vec<Route>,
    shapes: std::collections::HashMap<String, usize>,
    fallback: Vec<(Regex, usize, usize)>,
    /// Literal characters of each route's template, to rank tree and regex matches.
    literal_len: Vec<usize>,
    /// Every (method, full template) for the closest-match listing of a 404.
    listing: Vec<(Method, String)>,
}

/// A parsed template: its matchit shape, parameter names, and whether matchit can hold it.
struct Shape {
    key: String,
    names: Vec<String>,
    regex: String,
    matchit_ok: bool,
    literal_len: usize,
}

fn shape(template: &str) -> Shape {
    let mut key = String::with_capacity(template.len());
    let mut regex = String::from("^");
    let mut names = Vec::new();
    let mut matchit_ok = true;
    let mut literal_len = 0;
    for (si, segment) in template.split('/').enumerate() {
        if si > 0 {
            key.push('/');
            regex.push('/');
        }
        let mut params_here = 0;
        let mut rest = segment;
        while !rest.is_empty() {
            match (rest.find('{'), rest.find('}')) {
                (Some(open), Some(close)) if close > open => {
                    let lit = &rest[..open];
                    push_literal(&mut key, &mut regex, lit);
                    literal_len += lit.len();
                    let raw_name = &rest[open + 1..close];
                    let (name, multi) = match raw_name.split_once('=') {
                        Some((n, _)) => (n, true),
                        None => (raw_name, false),
                    };
                    let name = name.trim_start_matches(['+', '*', '.', ';', '?', '&', '#']);
                    let idx = names.len();
                    names.push(name.to_string());
                    key.push_str(&format!("{{p{idx}}}"));
                    regex.push_str(if multi { "(.+?)" } else { "([^/]+?)" });
                    params_here += 1;
                    if multi || name.is_empty() {
                        matchit_ok = false;
                    }
                    rest = &rest[close + 1..];
                }
                _ => {
                    push_literal(&mut key, &mut regex, rest);
                    literal_len += rest.len();
                    rest = "";
                }
            }
        }
        if params_here > 1 {
            matchit_ok = false;
        }
    }
    regex.push('$');
    Shape {
        key,
        names,
        regex,
        matchit_ok,
        literal_len,
    }
}

fn push_literal(key: &mut String, regex: &mut String, lit: &str) {
    for c in lit.chars() {
        match c {
            '{' => key.push_str("{{"),
            '}' => key.push_str("}}"),
            _ => key.push(c),
        }
    }
    regex.push_str(&regex::escape(lit));
}

impl Router {
    /// An empty router.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an operation under `template` (base path included). An unprefixed alias
    /// (`alias`) gives way silently to anything else at the same shape and method.
    pub fn insert(
        &mut self,
        method: Method,
        template: &str,
        op: OpRef,
        alias: bool,
    ) -> Result<(), Clash> {
        let (path, when) = split_condition(template);
        let s = shape(path);
        let idx = match self.shapes.get(&s.key) {
            Some(&i) => i,
            None => {
                let i = self.routes.len();
                self.literal_len.push(s.literal_len);
                self.routes.push(Route {
                    entries: Vec::new(),
                    alias,
                });
                self.shapes.insert(s.key.clone(), i);
                let in_tree = s.matchit_ok && self.tree.insert(s.key.clone(), i).is_ok();
                if !in_tree && let Ok(re) = Regex::new(&s.regex) {
                    self.fallback.push((re, i, s.literal_len));
                    // Most literal text first: the most specific template wins.
                    self.fallback.sort_by_key(|f| std::cmp::Reverse(f.2));
                }
                i
            }
        };
        let route = &mut self.routes[idx];
        if let Some(existing) = route
            .entries
            .iter_mut()
            .find(|e| e.method == method && e.when == when)
        {
            if alias {
                // An alias never displaces; two aliases at one shape are ambiguous, so
                // neither answers unprefixed.
                if route.alias && existing.op != op && existing.op.doc != op.doc {
                    existing.op = OpRef {
                        doc: usize::MAX,
                        op: usize::MAX,
                    };
                }
                return Ok(());
            }
            if route.alias {
                // A real template displaces an alias.
                existing.op = op;
                existing.names = s.names;
                route.alias = false;
                return Ok(());
            }
            return Err(Clash {
                existing: existing.op,
                template: template.to_string(),
            });
        }
        if !alias && route.alias {
            route.alias = false;
        }
        route.entries.push(Entry {
            method: method.clone(),
            op,
            names: s.names,
            when,
        });
        // The operations that ask most of the request are tried first, a plain one last.
        route
            .entries
            .sort_by_key(|e| std::cmp::Reverse(e.when.len()));
        if !alias {
            self.listing.push((method, template.to_string()));
        }
        Ok(())
    }

    /// Finds the operation for a request; `probe` answers for the operations that are
    /// told apart by a header or query value ([`split_condition`]).
    pub fn find<'a>(&'a self, method: &Method, path: &str, probe: Probe<'_>) -> Found<'a> {
        if let Some(found) = self.find_path(method, path, probe) {
            return found;
        }
        if let Some(found) = self.empty_parameter(method, path, probe) {
            return found;
        }
        if path.len() > 1
            && let Some(trimmed) = path.strip_suffix('/')
            && let Some(found) = self.find_path(method, trimmed, probe)
        {
            return found;
        }
        if path.contains('%') {
            let decoded = wire::percent_decode_keep_slashes(path);
            if decoded != path {
                return self.find(method, &decoded, probe);
            }
        }
        Found::NotFound
    }

    /// A path with an empty segment (`/pets/`, `/a//b`) that a template matches when
    /// that segment is read as its parameter: the operation and the parameter's name.
    fn empty_parameter<'a>(
        &'a self,
        method: &Method,
        path: &str,
        probe: Probe<'_>,
    ) -> Option<Found<'a>> {
        const HOLE: &str = "\u{1}";
        let rest = path.strip_prefix('/')?;
        if !rest.split('/').any(str::is_empty) || rest.is_empty() {
            return None;
        }
        let filled: Vec<&str> = rest
            .split('/')
            .map(|s| if s.is_empty() { HOLE } else { s })
            .collect();
        let filled = format!("/{}", filled.join("/"));
        match self.find_path(method, &filled, probe)? {
            Found::Operation { op, mut params, .. } => {
                let name = params.iter().find(|(_, v)| v == HOLE)?.0;
                for (_, v) in &mut params {
                    if v == HOLE {
                        v.clear();
                    }
                }
                Some(Found::EmptyParameter { op, name, params })
            }
            _ => None,
        }
    }

    fn find_path<'a>(&'a self, method: &Method, path: &str, probe: Probe<'_>) -> Option<Found<'a>> {
        let (idx, values) = self.route_at(path)?;
        let found = self.pick(idx, method, &values, probe);
        if !matches!(found, Found::MethodNotAllowed { .. }) {
            return Some(found);
        }
        // The most specific route lacks the method: a less specific one may have it
        // (`/services/kubernetes` takes only PUT, `/services/{service}` answers GET).
        // `Allow` still lists what the document declares at this path.
        match self.shadowed(method, path, idx, probe) {
            Some((other, values)) => Some(self.pick(other, method, &values, probe)),
            None => Some(found),
        }
    }

    /// The most specific route other than `best` that matches `path` and answers
    /// `method`, with its parameter values. Only runs when `best` lacks the method. Candidates are the
    /// path with each combination of its segments read as parameters, looked up by
    /// shape, a literal segment preferred to a parameter from left to right (the trie's
    /// own preference). Paths of more than 10 segments are not searched.
    fn shadowed<'p>(
        &self,
        method: &Method,
        path: &'p str,
        best: usize,
        probe: Probe<'_>,
    ) -> Option<(usize, Vec<&'p str>)> {
        let rest = path.strip_prefix('/')?;
        let segments: Vec<&str> = rest.split('/').collect();
        let n = segments.len();
        if n > 10 || path.contains(['{', '}']) {
            return None;
        }
        let mut masks: Vec<u32> = (0..(1u32 << n)).collect();
        // Bit i is segment i: reversed, a smaller number has its first parameter later.
        masks.sort_by_key(|m| m.reverse_bits());
        let mut key = String::with_capacity(path.len() + 16);
        for mask in masks {
            key.clear();
            let mut values = Vec::new();
            for (i, segment) in segments.iter().enumerate() {
                key.push('/');
                if mask & (1 << i) != 0 {
                    key.push_str(&format!("{{p{}}}", values.len()));
                    values.push(*segment);
                } else {
                    key.push_str(segment);
                }
            }
            let Some(&idx) = self.shapes.get(&key) else {
                continue;
            };
            if idx == best {
                continue;
            }
            if let Found::Operation { .. } = self.pick(idx, method, &values, probe) {
                return Some((idx, values));
            }
        }
        None
    }

    /// The route a path matches, with the raw parameter values in template order.
    fn route_at<'p>(&self, path: &'p str) -> Option<(usize, Vec<&'p str>)> {
        let tree = self.tree.at(path).ok();
        // The regex list holds few templates; it is consulted only when it could win:
        // when the tree missed, or when a fallback template has more literal text than
        // the tree's match (`/commits/{sha}.{type}` over `/commits/{sha}`).
        if !self.fallback.is_empty() {
            let tree_literal = tree.as_ref().map_or(0, |m| self.literal_len[*m.value]);
            for (re, idx, literal) in &self.fallback {
                if tree.is_some() && *literal <= tree_literal {
                    break;
                }
                if let Some(caps) = re.captures(path) {
                    let values = caps
                        .iter()
                        .skip(1)
                        .map(|c| c.map_or("", |m| m.as_str()))
                        .collect();
                    return Some((*idx, values));
                }
            }
        }
        tree.map(|m| (*m.value, m.params.iter().map(|(_, v)| v).collect()))
    }

    fn pick<'a>(
        &'a self,
        idx: usize,
        method: &Method,
        values: &[&str],
        probe: Probe<'_>,
    ) -> Found<'a> {
        let route = &self.routes[idx];
        // An unprefixed alias claimed by two documents is ambiguous: not found, so the
        // 404 lists both full paths.
        if route
            .entries
            .iter()
            .any(|e| e.method == method && e.op.doc == usize::MAX)
        {
            return Found::NotFound;
        }
        let usable = |e: &&Entry| e.op.doc != usize::MAX;
        let carried = |e: &&Entry| {
            e.when.iter().all(|(k, c)| match (probe(k), c) {
                (None, _) => false,
                (Some(got), Cond::Equals(want)) => got == *want,
                (Some(_), _) => true,
            })
        };
        let first = |m: &Method| {
            route
                .entries
                .iter()
                .filter(usable)
                .filter(|e| e.method == m)
                .find(carried)
        };
        let entry = first(method).map(|e| (e, false)).or_else(|| {
            (method == Method::HEAD)
                .then(|| first(&Method::GET))
                .flatten()
                .map(|e| (e, true))
        });
        match entry {
            Some((e, head_from_get)) => {
                let mut params: Vec<(&str, String)> = e
                    .names
                    .iter()
                    .zip(values)
                    .map(|(n, v)| (n.as_str(), wire::percent_decode(v)))
                    .collect();
                for (k, c) in &e.when {
                    if let Cond::Capture(param) = c
                        && let Some(v) = probe(k)
                    {
                        params.push((param.as_str(), v));
                    }
                }
                Found::Operation {
                    op: e.op,
                    params,
                    head_from_get,
                }
            }
            None => {
                // The method is there, but for other header or query values: no such
                // operation rather than a wrong method.
                if route.entries.iter().any(|e| e.method == method) {
                    return Found::NotFound;
                }
                let mut allowed: Vec<Method> = Vec::new();
                for e in route.entries.iter().filter(usable) {
                    if !allowed.contains(&e.method) {
                        allowed.push(e.method.clone());
                    }
                }
                if allowed.is_empty() {
                    Found::NotFound
                } else {
                    Found::MethodNotAllowed { allowed }
                }
            }
        }
    }

    /// The `n` operations closest to a path that matched nothing, as `METHOD /template`.
    /// This scans the operations, so it runs only on a miss.
    pub fn closest(&self, method: &Method, path: &str, n: usize) -> Vec<String> {
        let want: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut scored: Vec<(i64, &Method, &String)> = self
            .listing
            .iter()
            .map(|(m, t)| {
                let have: Vec<&str> = t.split('/').filter(|s| !s.is_empty()).collect();
                let mut score: i64 = 0;
                for (a, b) in want.iter().zip(&have) {
                    if a == b {
                        score += 10;
                    } else if b.contains('{') {
                        score += 4;
                    } else if a.eq_ignore_ascii_case(b) {
                        score += 8;
                    } else {
                        score -= 2 + edit_penalty(a, b);
                    }
                }
                score -= 3 * (want.len() as i64 - have.len() as i64).abs();
                if m == method {
                    score += 1;
                }
                (score, m, t)
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(b.2)));
        scored
            .into_iter()
            .take(n)
            .map(|(_, m, t)| format!("{m} {t}"))
            .collect()
    }

    /// The number of distinct (method, template) pairs served.
    pub fn len(&self) -> usize {
        self.listing.len()
    }

    /// Whether nothing is routed.
    pub fn is_empty(&self) -> bool {
        self.listing.is_empty()
    }

    /// Methods available at a path (for CORS preflight and `Allow`), empty if the path
    /// is unknown. Tolerates a trailing slash as [`Router::find`] does.
    pub fn methods_at(&self, path: &str) -> Vec<Method> {
        let route = self.route_at(path).or_else(|| {
            path.strip_suffix('/')
                .filter(|p| !p.is_empty())
                .and_then(|p| self.route_at(p))
        });
        match route {
            Some((idx, _)) => self.routes[idx]
                .entries
                .iter()
                .filter(|e| e.op.doc != usize::MAX)
                .map(|e| e.method.clone())
                .collect(),
            None => Vec::new(),
        }
    }
}

/// A small penalty for how different two segments look (0 for near misses).
fn edit_penalty(a: &str, b: &str) -> i64 {
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let longest = a.len().max(b.len());
    ((longest - common.min(longest)) as i64).min(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(i: usize) -> OpRef {
        OpRef { doc: 0, op: i }
    }

    fn found(r: &Router, m: Method, p: &str) -> Option<(usize, Vec<(String, String)>)> {
        match r.find(&m, p, &|_| None) {
            Found::Operation { op, params, .. } => Some((
                op.op,
                params
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            )),
            _ => None,
        }
    }

    #[test]
    fn literal_beats_template_and_names_are_per_operation() {
        let mut r = Router::new();
        r.insert(Method::GET, "/users/{id}", op(0), false).unwrap();
        r.insert(Method::GET, "/users/me", op(1), false).unwrap();
        r.insert(Method::DELETE, "/users/{userId}", op(2), false)
            .unwrap();
        assert_eq!(found(&r, Method::GET, "/users/me").unwrap().0, 1);
        assert_eq!(
            found(&r, Method::GET, "/users/42").unwrap(),
            (0, vec![("id".into(), "42".into())])
        );
        assert_eq!(
            found(&r, Method::DELETE, "/users/7").unwrap(),
            (2, vec![("userId".into(), "7".into())])
        );
    }

    #[test]
    fn two_parameters_in_one_segment() {
        let mut r = Router::new();
        r.insert(Method::GET, "/files/{name}.{ext}", op(0), false)
            .unwrap();
        assert_eq!(
            found(&r, Method::GET, "/files/report.tar.gz").unwrap().1,
            vec![
                ("name".into(), "report".into()),
                ("ext".into(), "tar.gz".into())
            ]
        );
    }

    #[test]
    fn a_template_with_more_literal_text_beats_a_bare_parameter() {
        let mut r = Router::new();
        r.insert(Method::GET, "/commits/{sha}", op(0), false)
            .unwrap();
        r.insert(Method::GET, "/commits/{sha}.{kind}", op(1), false)
            .unwrap();
        r.insert(Method::GET, "/commits/{sha}/files", op(2), false)
            .unwrap();
        assert_eq!(found(&r, Method::GET, "/commits/abc.diff").unwrap().0, 1);
        assert_eq!(found(&r, Method::GET, "/commits/abc").unwrap().0, 0);
        assert_eq!(found(&r, Method::GET, "/commits/abc/files").unwrap().0, 2);
    }

    #[test]
    fn trailing_slash_percent_decoding_head_and_405() {
        let mut r = Router::new();
        r.insert(Method::GET, "/caf\u{e9}/{name}", op(0), false)
            .unwrap();
        r.insert(Method::POST, "/caf\u{e9}/{name}", op(1), false)
            .unwrap();
        assert_eq!(
            found(&r, Method::GET, "/caf%C3%A9/a%20b/").unwrap().1,
            vec![("name".into(), "a b".into())]
        );
        assert!(matches!(
            r.find(&Method::HEAD, "/café/x", &|_| None),
            Found::Operation {
                head_from_get: true,
                ..
            }
        ));
        match r.find(&Method::DELETE, "/café/x", &|_| None) {
            Found::MethodNotAllowed { allowed } => {
                assert_eq!(allowed, vec![Method::GET, Method::POST])
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_literal_without_the_method_gives_way_to_a_template_with_it() {
        let mut r = Router::new();
        r.insert(Method::PUT, "/p/{id}/services/kubernetes", op(0), false)
            .unwrap();
        r.insert(Method::GET, "/p/{id}/services/{service}", op(1), false)
            .unwrap();
        r.insert(Method::POST, "/p/{id}/{what}/kubernetes", op(2), false)
            .unwrap();
        r.insert(Method::POST, "/p/{id}/{what}/{name}", op(3), false)
            .unwrap();
        assert_eq!(
            found(&r, Method::GET, "/p/7/services/kubernetes").unwrap(),
            (
                1,
                vec![
                    ("id".into(), "7".into()),
                    ("service".into(), "kubernetes".into())
                ]
            )
        );
        // Of two templates with the method, the one with a literal further left wins.
        assert_eq!(
            found(&r, Method::POST, "/p/7/services/kubernetes")
                .unwrap()
                .0,
            2
        );
        assert_eq!(
            found(&r, Method::PUT, "/p/7/services/kubernetes")
                .unwrap()
                .0,
            0
        );
        match r.find(&Method::DELETE, "/p/7/services/kubernetes", &|_| None) {
            Found::MethodNotAllowed { allowed } => {
                assert_eq!(allowed, vec![Method::PUT])
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn operations_at_one_path_are_told_apart_by_header_or_query_values() {
        let mut r = Router::new();
        r.insert(Method::POST, "/#X-Amz-Target=Svc.Get", op(0), false)
            .unwrap();
        r.insert(Method::POST, "/#X-Amz-Target=Svc.Put", op(1), false)
            .unwrap();
        r.insert(Method::POST, "/#X-Amz-Target=Svc.Put", op(9), false)
            .unwrap_err();
        r.insert(Method::GET, "/#Action=List&Version=1", op(2), false)
            .unwrap();
        r.insert(Method::GET, "/things/{id}#verbose", op(3), false)
            .unwrap();
        r.insert(Method::GET, "/things/{id}", op(4), false).unwrap();
        r.insert(
            Method::GET,
            "/things/{id}#verbose&deprecated!",
            op(5),
            false,
        )
        .unwrap();
        r.insert(Method::GET, "/search?q={q}", op(6), false)
            .unwrap();
        let carrying = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(pk, _)| *pk == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let find = |m: Method, p: &str, pairs: &'static [(&'static str, &'static str)]| match r
            .find(&m, p, &carrying(pairs))
        {
            Found::Operation { op, .. } => Some(op.op),
            _ => None,
        };
        assert_eq!(
            find(Method::POST, "/", &[("X-Amz-Target", "Svc.Put")]),
            Some(1)
        );
        assert_eq!(
            find(Method::POST, "/", &[("X-Amz-Target", "Svc.Get")]),
            Some(0)
        );
        assert_eq!(
            find(Method::POST, "/", &[("X-Amz-Target", "Svc.Nope")]),
            None
        );
        assert_eq!(
            find(Method::GET, "/", &[("Action", "List"), ("Version", "1")]),
            Some(2)
        );
        assert_eq!(find(Method::GET, "/", &[("Action", "List")]), None);
        assert_eq!(find(Method::GET, "/things/7", &[("verbose", "")]), Some(3));
        assert_eq!(find(Method::GET, "/things/7", &[]), Some(4));
        // The operation that asks more of the request is tried first.
        assert_eq!(
            find(
                Method::GET,
                "/things/7",
                &[("verbose", ""), ("deprecated!", "")]
            ),
            Some(5)
        );
        match r.find(&Method::GET, "/search", &carrying(&[("q", "dune")])) {
            Found::Operation { op, params, .. } => {
                assert_eq!(op.op, 6);
                assert_eq!(params, vec![("q", "dune".to_string())]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            r.find(&Method::DELETE, "/", &|_| None),
            Found::MethodNotAllowed { .. }
        ));
        assert_eq!(split_condition("/a/{?q}").0, "/a/{?q}");
        assert_eq!(
            split_condition("/tags/#operation=tag&x"),
            (
                "/tags",
                vec![
                    ("operation".into(), Cond::Equals("tag".into())),
                    ("x".into(), Cond::Present)
                ]
            )
        );
    }

    #[test]
    fn aliases_give_way_and_ambiguous_aliases_answer_nothing() {
        let mut r = Router::new();
        r.insert(Method::GET, "/v1/pets", OpRef { doc: 0, op: 0 }, false)
            .unwrap();
        r.insert(Method::GET, "/pets", OpRef { doc: 0, op: 0 }, true)
            .unwrap();
        r.insert(Method::GET, "/v2/pets", OpRef { doc: 1, op: 0 }, false)
            .unwrap();
        r.insert(Method::GET, "/pets", OpRef { doc: 1, op: 0 }, true)
            .unwrap();
        assert!(matches!(
            r.find(&Method::GET, "/pets", &|_| None),
            Found::NotFound
        ));
        assert!(matches!(
            r.find(&Method::GET, "/v2/pets", &|_| None),
            Found::Operation {
                op: OpRef { doc: 1, .. },
                ..
            }
        ));
    }

    #[test]
    fn clash_is_reported() {
        let mut r = Router::new();
        r.insert(Method::GET, "/a/{x}", op(0), false).unwrap();
        let clash = r.insert(Method::GET, "/a/{y}", op(1), false).unwrap_err();
        assert_eq!(clash.existing, op(0));
    }

    #[test]
    fn closest_lists_near_templates() {
        let mut r = Router::new();
        r.insert(Method::GET, "/pets", op(0), false).unwrap();
        r.insert(Method::GET, "/pets/{id}", op(1), false).unwrap();
        r.insert(Method::GET, "/stores", op(2), false).unwrap();
        let c = r.closest(&Method::GET, "/pet/1", 2);
        assert_eq!(
            c,
            vec!["GET /pets/{id}".to_string(), "GET /pets".to_string()]
        );
    }
}
