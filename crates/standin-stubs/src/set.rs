//! The stubs of a mock, indexed, and how a request picks one.
//!
//! **Match order** is WireMock's (`SortedConcurrentMappingSet`): priority ascending (1 is
//! the highest), then insertion index descending, so the newest stub wins a tie. The
//! first stub in that order that matches the request (and its scenario state) answers.
//!
//! **Index.** Scanning every stub per request is what makes WireMock slow with many
//! stubs, so stubs are bucketed by what their URL matcher needs:
//! - `url` / `urlPath`: a hash map from the literal path (the part of `url` before `?`);
//! - `urlPathTemplate` without `**`: a segment trie keyed by the template's shape
//!   (literal segments, and "any non-empty segment" for those holding a `{variable}`);
//! - everything else (`urlPattern`, `urlPathPattern`, templates with `**`, no URL): a
//!   fallback list.
//!
//! Every bucket holds stub positions in match order; [`StubSet::find`] merges the
//! request path's bucket, the trie buckets the path reaches and the fallback list in
//! match order and stops at the first match, so its cost depends on the stubs that could
//! match, not on how many there are.
//!
//! **Scenarios.** A stub with `requiredScenarioState` matches only in that state. When a
//! stub with `newScenarioState` is chosen the state is moved with the store's atomic
//! compare-and-set from the state the scan read; if another request moved it first, the
//! scan starts again with fresh readings, so a request never misses because a state moved
//! between two stubs of its scenario (WireMock fixed that only after 3.13.2, PR #3506).
//! Under concurrent requests each state is therefore left exactly once.
//!
//! **Near misses** are computed only for misses and within a budget: at most
//! [`NEAR_MISS_BUDGET`] candidates are evaluated, taken from the request path's bucket,
//! the literal paths sorted next to it (the nearest keys on each side), the template
//! buckets the path reaches, a sample of all templates and the fallback list. A set no
//! bigger than the budget is evaluated whole, as WireMock does.

use std::collections::HashMap;

/// The maps a request looks up: foldhash, seeded per process.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use standin_core::Request;
use standin_core::answer::{Answerer, Ask, Outcome};
use standin_core::exchange::{Kind, NearMiss, Reply};
use standin_core::state::Store;

use crate::diff;
use crate::pattern::{MatchResult, Part, Segment, UrlMatcher, View};
use crate::stub::Stub;

/// How many stubs a miss evaluates at most to find its near misses.
pub const NEAR_MISS_BUDGET: usize = 64;
/// How many times one request rescans the stubs because a concurrent request moved a
/// scenario it was about to move (see [`StubSet::find`]).
const MAX_SCANS: usize = 64;
/// How many near misses a miss reports (WireMock's `NEAR_MISS_COUNT`).
pub const NEAR_MISS_COUNT: usize = 3;

/// Stub positions in match order.
type Bucket = Vec<u32>;

/// The parts of a request a candidate got wrong (part, field name).
type Wrong = Vec<(Part, String)>;

/// A node of the template trie.
#[derive(Default)]
struct Node {
    literal: FastMap<Box<str>, usize>,
    variable: Option<usize>,
    here: Bucket,
}

/// `urlPathTemplate` stubs by shape: one edge per segment.
struct Trie {
    nodes: Vec<Node>,
}

impl Trie {
    fn new() -> Trie {
        Trie {
            nodes: vec![Node::default()],
        }
    }

    fn insert(&mut self, shape: &[Segment], pos: u32) {
        let mut at = 0usize;
        for seg in shape {
            let next = match seg {
                Segment::Literal(text) => self.nodes[at].literal.get(text.as_str()).copied(),
                Segment::Variable => self.nodes[at].variable,
            };
            let next = match next {
                Some(n) => n,
                None => {
                    let n = self.nodes.len();
                    self.nodes.push(Node::default());
                    match seg {
                        Segment::Literal(text) => {
                            self.nodes[at].literal.insert(text.as_str().into(), n);
                        }
                        Segment::Variable => self.nodes[at].variable = Some(n),
                    }
                    n
                }
            };
            at = next;
        }
        self.nodes[at].here.push(pos);
    }

    /// The buckets of every template shape `path` fits. Each node is reached at most
    /// once (a node sits at one depth), so this is bounded by the trie's size and in
    /// practice by the few shapes sharing the path's prefix.
    fn lookup<'t>(&'t self, path: &str, out: &mut Vec<&'t [u32]>) {
        let root = &self.nodes[0];
        if root.literal.is_empty() && root.variable.is_none() {
            // No templates (a stub set of literal paths): nothing to walk (a path has
            // at least one segment, so the root holds no stub).
            return;
        }
        let segments: Vec<&str> = path.split('/').collect();
        let mut stack = vec![(0usize, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            let n = &self.nodes[node];
            if depth == segments.len() {
                if !n.here.is_empty() {
                    out.push(&n.here);
                }
                continue;
            }
            let seg = segments[depth];
            if let Some(&next) = n.literal.get(seg) {
                stack.push((next, depth + 1));
            }
            if let Some(next) = n.variable
                && !seg.is_empty()
            {
                stack.push((next, depth + 1));
            }
        }
    }
}

/// The stubs of a mock in match order, indexed by path.
pub struct StubSet {
    stubs: Vec<Arc<Stub>>,
    by_id: HashMap<String, usize>,
    literal: FastMap<Box<str>, Bucket>,
    /// The literal paths, sorted: near misses look at the neighbours of a request path.
    literal_keys: Vec<Box<str>>,
    templates: Trie,
    /// Every stub in the trie, in match order (a sample of templates for near misses).
    template_all: Bucket,
    fallback: Bucket,
}

impl StubSet {
    /// Sorts the stubs into match order and indexes them.
    pub fn new(mut stubs: Vec<Arc<Stub>>) -> StubSet {
        stubs.sort_by(|a, b| {
            a.priority
                .cmp(&b.priority)
                .then_with(|| b.insertion.cmp(&a.insertion))
        });
        let mut by_id = HashMap::with_capacity(stubs.len());
        let mut literal: FastMap<Box<str>, Bucket> = FastMap::default();
        let mut templates = Trie::new();
        let mut template_all = Vec::new();
        let mut fallback = Vec::new();
        for (i, stub) in stubs.iter().enumerate() {
            let pos = u32::try_from(i).unwrap_or(u32::MAX);
            // The first in match order keeps the id (a duplicate id cannot be reached by id).
            by_id.entry(stub.id.clone()).or_insert(i);
            match &stub.request.url {
                url @ (UrlMatcher::Url(_) | UrlMatcher::Path(_)) => {
                    let path = url.literal_path().unwrap_or_default();
                    literal.entry(path.into()).or_default().push(pos);
                }
                UrlMatcher::PathTemplate(t) if t.shape.is_some() => {
                    if let Some(shape) = &t.shape {
                        templates.insert(shape, pos);
                    }
                    template_all.push(pos);
                }
                _ => fallback.push(pos),
            }
        }
        let mut literal_keys: Vec<Box<str>> = literal.keys().cloned().collect();
        literal_keys.sort_unstable();
        StubSet {
            stubs,
            by_id,
            literal,
            literal_keys,
            templates,
            template_all,
            fallback,
        }
    }

    /// The stubs, in match order.
    pub fn stubs(&self) -> &[Arc<Stub>] {
        &self.stubs
    }

    /// The stub with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<Stub>> {
        self.by_id
            .get(id)
            .or_else(|| self.by_id.get(&id.to_ascii_lowercase()))
            .map(|&i| &self.stubs[i])
    }

    /// How many stubs.
    pub fn len(&self) -> usize {
        self.stubs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.stubs.is_empty()
    }

    /// The buckets that may hold a stub matching a request for `path`.
    fn candidate_lists(&self, path: &str) -> Vec<&[u32]> {
        let mut lists: Vec<&[u32]> = Vec::with_capacity(4);
        if let Some(b) = self.literal.get(path) {
            lists.push(b);
        }
        self.templates.lookup(path, &mut lists);
        if !self.fallback.is_empty() {
            lists.push(&self.fallback);
        }
        lists
    }

    /// The stub that answers `req`: the first in match order that matches and whose
    /// scenario is in its required state; the scenario moves to the stub's new state
    /// atomically (see the module doc).
    pub fn find(&self, req: &Request<'_>, store: &dyn Store) -> Option<Arc<Stub>> {
        crate::date::with_now(req.now_unix_ms, || self.find_now(req, store))
    }

    fn find_now(&self, req: &Request<'_>, store: &dyn Store) -> Option<Arc<Stub>> {
        let view = View::new(req);
        // A scan judges every scenario stub against one reading of each scenario's
        // state, taken when the scan first needs it. Reading the store afresh per stub
        // would let a concurrent move slip between two stubs of one scenario (the newer
        // gated on the next state is checked first, the state moves, then the older
        // gated on the old state no longer matches either) and the request would miss
        // although a stub matches every state it passed through. When the move from the
        // state read fails, another request moved it: the scan starts again with fresh
        // readings. Every restart means some request made progress; the bound keeps a
        // request from chasing a scenario that others keep moving forever.
        'scan: for _ in 0..MAX_SCANS {
            let mut states: Vec<(&str, String)> = Vec::new();
            let mut merge = Merge::new(self.candidate_lists(req.path));
            while let Some(pos) = merge.next() {
                let stub = &self.stubs[pos as usize];
                if !stub.request.matches_view(&view) {
                    continue;
                }
                if let Some(s) = &stub.scenario {
                    let current = match states.iter().find(|(n, _)| *n == s.name) {
                        Some((_, state)) => state.clone(),
                        None => {
                            let state = store.scenario(&s.name);
                            states.push((s.name.as_str(), state.clone()));
                            state
                        }
                    };
                    if s.required.as_ref().is_some_and(|r| *r != current) {
                        continue;
                    }
                    if let Some(new_state) = &s.new_state
                        && !store.advance(&s.name, Some(&current), new_state)
                    {
                        continue 'scan;
                    }
                }
                return Some(stub.clone());
            }
            return None;
        }
        None
    }

    /// The stubs closest to `req`, closest first, at most `max`, found within
    /// [`NEAR_MISS_BUDGET`] evaluations.
    pub fn near_misses(&self, req: &Request<'_>, max: usize) -> Vec<(Arc<Stub>, MatchResult)> {
        crate::date::with_now(req.now_unix_ms, || {
            self.near_misses_with_parts(req, max)
                .into_iter()
                .map(|(s, r, _)| (s, r))
                .collect()
        })
    }

    /// Near misses with the parts each got wrong.
    pub(crate) fn near_misses_with_parts(
        &self,
        req: &Request<'_>,
        max: usize,
    ) -> Vec<(Arc<Stub>, MatchResult, Wrong)> {
        let view = View::new(req);
        let mut scored: Vec<(u32, MatchResult, Wrong)> = self
            .near_miss_candidates(req.path)
            .into_iter()
            .map(|pos| {
                let (r, parts) = self.stubs[pos as usize].request.evaluate_view(&view);
                (pos, r, parts)
            })
            .collect();
        // Stable on match order for equal distances, as WireMock's sort is.
        scored.sort_by(|a, b| a.1.distance.total_cmp(&b.1.distance).then(a.0.cmp(&b.0)));
        scored.truncate(max);
        scored
            .into_iter()
            .map(|(pos, r, parts)| (self.stubs[pos as usize].clone(), r, parts))
            .collect()
    }

    /// Which stubs a miss looks at (see the module doc), in match order, no more than
    /// [`NEAR_MISS_BUDGET`].
    fn near_miss_candidates(&self, path: &str) -> Vec<u32> {
        if self.stubs.len() <= NEAR_MISS_BUDGET {
            return (0..self.stubs.len()).map(|i| i as u32).collect();
        }
        let mut picked: Vec<u32> = Vec::with_capacity(NEAR_MISS_BUDGET);
        // At most NEAR_MISS_BUDGET positions: a scan is cheaper than hashing each.
        let take = |from: &[u32], n: usize, picked: &mut Vec<u32>| {
            for &p in from.iter().take(n) {
                if picked.len() >= NEAR_MISS_BUDGET {
                    return;
                }
                if !picked.contains(&p) {
                    picked.push(p);
                }
            }
        };
        if let Some(b) = self.literal.get(path) {
            take(b, 16, &mut picked);
        }
        let mut reached = Vec::new();
        self.templates.lookup(path, &mut reached);
        for b in reached {
            take(b, 8, &mut picked);
        }
        // The literal paths sorted around the request's: same prefix, likely typos.
        let at = self.literal_keys.partition_point(|k| &**k < path);
        let (mut below, mut above) = (at, at);
        let mut keys = 0;
        while keys < 24 && (below > 0 || above < self.literal_keys.len()) {
            if above < self.literal_keys.len() {
                if let Some(b) = self.literal.get(&self.literal_keys[above]) {
                    take(b, 2, &mut picked);
                }
                above += 1;
                keys += 1;
            }
            if below > 0 {
                below -= 1;
                if let Some(b) = self.literal.get(&self.literal_keys[below]) {
                    take(b, 2, &mut picked);
                }
                keys += 1;
            }
        }
        take(&self.template_all, 8, &mut picked);
        take(&self.fallback, 16, &mut picked);
        picked.sort_unstable();
        picked
    }
}

/// Merges sorted lists of positions, smallest first, skipping duplicates.
struct Merge<'l> {
    lists: Vec<&'l [u32]>,
    at: Vec<usize>,
    last: Option<u32>,
}

impl<'l> Merge<'l> {
    fn new(lists: Vec<&'l [u32]>) -> Merge<'l> {
        // One list (the usual: a literal path's stubs) needs no merging.
        let at = if lists.len() == 1 {
            Vec::new()
        } else {
            vec![0; lists.len()]
        };
        Merge {
            lists,
            at,
            last: None,
        }
    }

    fn next(&mut self) -> Option<u32> {
        if let [only] = self.lists.as_mut_slice() {
            while let Some((&p, rest)) = only.split_first() {
                *only = rest;
                if self.last != Some(p) {
                    self.last = Some(p);
                    return Some(p);
                }
            }
            return None;
        }
        loop {
            let mut best: Option<(usize, u32)> = None;
            for (i, list) in self.lists.iter().enumerate() {
                if let Some(&p) = list.get(self.at[i])
                    && best.is_none_or(|(_, b)| p < b)
                {
                    best = Some((i, p));
                }
            }
            let (i, p) = best?;
            self.at[i] += 1;
            if self.last != Some(p) {
                self.last = Some(p);
                return Some(p);
            }
        }
    }
}

/// One short phrase per part a near miss got wrong.
fn reason(part: Part, name: &str) -> String {
    match part {
        Part::Method => "method".to_string(),
        Part::Url => "url".to_string(),
        Part::Header => format!("header {name}"),
        Part::PathParameter => format!("path parameter {name}"),
        Part::Query => format!("query {name}"),
        Part::Form => format!("form {name}"),
        Part::Cookie => format!("cookie {name}"),
        Part::Body => "body".to_string(),
    }
}

/// The state a stub's scenario is in, when the stub requires one it is not in.
fn scenario_mismatch(stub: &Stub, store: &dyn Store) -> Option<String> {
    let s = stub.scenario.as_ref()?;
    let required = s.required.as_ref()?;
    let current = store.scenario(&s.name);
    (current != *required).then_some(current)
}

impl Answerer for StubSet {
    fn kind(&self) -> Kind {
        Kind::Stub
    }

    fn is_empty(&self) -> bool {
        self.stubs.is_empty()
    }

    fn answer(&self, ask: &Ask<'_>) -> Outcome {
        // Date matchers read "now" from the request's arrival time.
        crate::date::with_now(ask.req.now_unix_ms, || self.answer_now(ask))
    }
}

impl StubSet {
    fn answer_now(&self, ask: &Ask<'_>) -> Outcome {
        let req = ask.req;
        if let Some(stub) = self.find(req, ask.store) {
            let vars = stub.request.path_vars(req);
            let mut reply = stub.response.reply(&stub, req, &vars, ask.entropy);
            if reply.why.answerer == Kind::None {
                reply.why.answerer = Kind::Stub;
            }
            if reply.why.stub.is_none() {
                reply.why.stub = Some(stub.id.clone());
            }
            for (i, hook) in stub.webhooks.iter().enumerate() {
                let entropy = ask.entropy.rotate_left(13).wrapping_add(i as u64);
                let call = hook.call(stub.label(), req, &vars, entropy);
                reply.wire.calls.push(call);
            }
            return Outcome::Reply(Box::new(reply));
        }
        let misses = self.near_misses_with_parts(req, NEAR_MISS_COUNT);
        let near: Vec<NearMiss> = misses
            .iter()
            .map(|(stub, result, parts)| {
                let mut reasons: Vec<String> = parts.iter().map(|(p, n)| reason(*p, n)).collect();
                if let Some(state) = scenario_mismatch(stub, ask.store) {
                    reasons.push(format!("scenario state {state}"));
                }
                NearMiss {
                    answerer: Kind::Stub,
                    label: stub.label().to_string(),
                    distance: result.distance,
                    reasons,
                }
            })
            .collect();
        let closest = misses.first().map(|(s, _, _)| s.as_ref());
        let state = closest
            .and_then(|s| s.scenario.as_ref())
            .map(|s| ask.store.scenario(&s.name));
        let body = diff::report(req, closest, state.as_deref());
        let mut reply = Reply::status(404);
        // WireMock's exact value (no space before the parameter): clients that compare the
        // header as a string see the same one.
        reply.headers.push((
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain;charset=UTF-8"),
        ));
        reply.body = Bytes::from(body);
        reply.why.note = Some("no-stub-matched");
        reply.why.near = near.clone();
        Outcome::Miss {
            near,
            report: Some(Box::new(reply)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::test_support::asked;
    use crate::stub::StubOptions;
    use serde_json::{Value, json};
    use standin_core::directives::Directives;
    use standin_core::state::{MemoryStore, STARTED};

    fn stub(v: Value, insertion: u64) -> Arc<Stub> {
        Arc::new(
            Stub::parse(&v, &StubOptions::default())
                .expect("test stub parses")
                .with_insertion(insertion),
        )
    }

    fn set(specs: Vec<Value>) -> StubSet {
        StubSet::new(
            specs
                .into_iter()
                .enumerate()
                .map(|(i, v)| stub(v, i as u64))
                .collect(),
        )
    }

    fn found(set: &StubSet, method: &str, url: &str) -> Option<String> {
        let a = asked(method, url, &[], "");
        set.find(&a.req(), &MemoryStore::new())
            .map(|s| s.label().to_string())
    }

    #[test]
    fn priority_first_then_the_newest() {
        let s = set(vec![
            json!({"name": "old", "request": {"url": "/a"}}),
            json!({"name": "new", "request": {"url": "/a"}}),
            json!({"name": "any-low", "priority": 9, "request": {}}),
            json!({"name": "urgent-old", "priority": 1, "request": {"urlPath": "/b"}}),
            json!({"name": "normal-new", "request": {"urlPath": "/b"}}),
        ]);
        assert_eq!(found(&s, "GET", "/a").as_deref(), Some("new"));
        assert_eq!(found(&s, "GET", "/b").as_deref(), Some("urgent-old"));
        assert_eq!(found(&s, "GET", "/c").as_deref(), Some("any-low"));
        let order: Vec<&str> = s.stubs().iter().map(|s| s.label()).collect();
        assert_eq!(order, ["urgent-old", "normal-new", "new", "old", "any-low"]);
    }

    #[test]
    fn every_bucket_kind_is_found() {
        let s = set(vec![
            json!({"name": "path", "request": {"method": "GET", "urlPath": "/lit"}}),
            json!({"name": "url", "request": {"method": "GET", "url": "/lit?x=1"}}),
            json!({"name": "template", "request": {"method": "GET", "urlPathTemplate": "/users/{id}/posts"}}),
            json!({"name": "wildcard", "request": {"method": "GET", "urlPathTemplate": "/files/**"}}),
            json!({"name": "regex", "request": {"method": "GET", "urlPattern": "/rx/[0-9]+"}}),
            json!({"name": "anything", "request": {"method": "DELETE"}}),
        ]);
        assert_eq!(found(&s, "GET", "/lit?x=1").as_deref(), Some("url"));
        assert_eq!(found(&s, "GET", "/lit?x=2").as_deref(), Some("path"));
        assert_eq!(
            found(&s, "GET", "/users/7/posts").as_deref(),
            Some("template")
        );
        assert_eq!(found(&s, "GET", "/users//posts"), None);
        assert_eq!(found(&s, "GET", "/files/a/b").as_deref(), Some("wildcard"));
        assert_eq!(found(&s, "GET", "/rx/12").as_deref(), Some("regex"));
        assert_eq!(
            found(&s, "DELETE", "/elsewhere").as_deref(),
            Some("anything")
        );
        assert_eq!(found(&s, "GET", "/elsewhere"), None);
        assert!(s.get(&s.stubs()[0].id).is_some());
        assert!(s.get(&s.stubs()[0].id.to_ascii_uppercase()).is_some());
        assert!(s.get("nope").is_none());
    }

    /// A small deterministic generator, so failures reproduce.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    #[test]
    fn the_index_answers_as_a_linear_scan_does() {
        let mut rng = Lcg(42);
        let words = ["a", "b", "c", "users", "1", "x"];
        let path = |rng: &mut Lcg| {
            let depth = 1 + rng.next(3);
            (0..depth)
                .map(|_| format!("/{}", words[rng.next(words.len() as u64) as usize]))
                .collect::<String>()
        };
        for round in 0..20 {
            let mut specs = Vec::new();
            for i in 0..60 {
                let p = path(&mut rng);
                let method = ["GET", "POST", "ANY"][rng.next(3) as usize];
                let request = match rng.next(6) {
                    0 => json!({"method": method, "url": p}),
                    1 => json!({"method": method, "urlPath": p}),
                    2 => json!({"method": method, "urlPathTemplate": p.replacen("/1", "/{id}", 1)}),
                    3 => json!({"method": method, "urlPathPattern": format!("{p}(/.*)?")}),
                    4 => {
                        json!({"method": method, "urlPath": p, "queryParameters": {"q": {"equalTo": "1"}}})
                    }
                    _ => json!({"method": method}),
                };
                specs.push(json!({"name": format!("s{i}"), "priority": 1 + rng.next(3), "request": request}));
            }
            let s = set(specs);
            for _ in 0..200 {
                let url = if rng.next(2) == 0 {
                    path(&mut rng)
                } else {
                    format!("{}?q={}", path(&mut rng), rng.next(2))
                };
                let method = ["GET", "POST", "PUT"][rng.next(3) as usize];
                let a = asked(method, &url, &[], "");
                let linear = s
                    .stubs()
                    .iter()
                    .find(|st| st.request.matches(&a.req()))
                    .map(|st| st.label().to_string());
                assert_eq!(
                    found(&s, method, &url),
                    linear,
                    "round {round}: {method} {url}"
                );
            }
        }
    }

    fn sequence() -> StubSet {
        set(vec![
            json!({"name": "first", "scenarioName": "s", "requiredScenarioState": STARTED,
                "newScenarioState": "second", "request": {"url": "/seq"}}),
            json!({"name": "second", "scenarioName": "s", "requiredScenarioState": "second",
                "request": {"url": "/seq"}}),
        ])
    }

    #[test]
    fn scenarios_gate_and_move_state() {
        let s = sequence();
        let store = MemoryStore::new();
        let a = asked("GET", "/seq", &[], "");
        let mut served = Vec::new();
        for _ in 0..3 {
            served.push(s.find(&a.req(), &store).map(|x| x.label().to_string()));
        }
        assert_eq!(
            served,
            [
                Some("first".into()),
                Some("second".into()),
                Some("second".into())
            ]
        );
        assert_eq!(store.scenario("s"), "second");
        store.reset_scenarios();
        assert_eq!(
            s.find(&a.req(), &store)
                .map(|x| x.label().to_string())
                .as_deref(),
            Some("first")
        );
    }

    /// A store where another request moves scenario `s` to `second` right after this
    /// request first reads it (the race of a real server, made deterministic).
    struct MovedAfterRead {
        inner: MemoryStore,
        moved: std::sync::atomic::AtomicBool,
    }

    impl Store for MovedAfterRead {
        fn scenario(&self, name: &str) -> String {
            let state = self.inner.scenario(name);
            if !self.moved.swap(true, std::sync::atomic::Ordering::SeqCst) {
                self.inner.advance(name, Some(STARTED), "second");
            }
            state
        }
        fn advance(&self, name: &str, from: Option<&str>, to: &str) -> bool {
            self.inner.advance(name, from, to)
        }
        fn set_scenario(&self, name: &str, state: &str) {
            self.inner.set_scenario(name, state)
        }
        fn reset_scenarios(&self) {
            self.inner.reset_scenarios()
        }
        fn scenarios(&self) -> Vec<(String, String)> {
            self.inner.scenarios()
        }
    }

    #[test]
    fn a_state_moved_mid_scan_does_not_make_a_miss() {
        // "second" is newer, so it is checked first: it reads Started and is skipped,
        // then the state moves; "first" must not then be judged against the new state.
        let s = sequence();
        let store = MovedAfterRead {
            inner: MemoryStore::new(),
            moved: std::sync::atomic::AtomicBool::new(false),
        };
        let a = asked("GET", "/seq", &[], "");
        let got = s.find(&a.req(), &store).map(|x| x.label().to_string());
        assert_eq!(
            got.as_deref(),
            Some("second"),
            "the move by the other request is seen on a rescan"
        );
        assert_eq!(store.inner.scenario("s"), "second");
    }

    #[test]
    fn a_state_is_left_once_under_concurrent_requests() {
        for _ in 0..20 {
            let s = sequence();
            let store = MemoryStore::new();
            let firsts = std::sync::atomic::AtomicUsize::new(0);
            let misses = std::sync::atomic::AtomicUsize::new(0);
            std::thread::scope(|scope| {
                for _ in 0..8 {
                    scope.spawn(|| {
                        let a = asked("GET", "/seq", &[], "");
                        for _ in 0..50 {
                            match s.find(&a.req(), &store).as_ref().map(|x| x.label()) {
                                Some("first") => {
                                    firsts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                }
                                Some(_) => {}
                                None => {
                                    misses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                }
                            }
                        }
                    });
                }
            });
            assert_eq!(firsts.into_inner(), 1, "Started was left more than once");
            assert_eq!(
                misses.into_inner(),
                0,
                "a request fell through while the state moved"
            );
        }
    }

    fn many(n: usize) -> StubSet {
        let stubs: Vec<Arc<Stub>> = (0..n)
            .map(|i| {
                let request = match i % 4 {
                    0 | 1 => json!({"method": "GET", "url": format!("/items/{i}")}),
                    2 => json!({"method": "POST", "urlPathTemplate": format!("/t{i}/{{id}}")}),
                    _ => json!({"method": "GET", "urlPath": format!("/p/{i}")}),
                };
                stub(
                    json!({"name": format!("s{i}"), "request": request}),
                    i as u64,
                )
            })
            .collect();
        // How long building takes is measured by the benchmark's 100,000-stub start-up,
        // not asserted here.
        StubSet::new(stubs)
    }

    #[test]
    fn a_hundred_thousand_stubs_stay_indexed() {
        let s = many(100_000);
        assert_eq!(s.len(), 100_000);
        assert_eq!(found(&s, "GET", "/items/0").as_deref(), Some("s0"));
        assert_eq!(found(&s, "POST", "/t99998/abc").as_deref(), Some("s99998"));
        assert_eq!(found(&s, "GET", "/p/99999").as_deref(), Some("s99999"));
        let a = asked("GET", "/items/12345x", &[], "");
        let near = s.near_misses(&a.req(), 3);
        assert_eq!(near.len(), 3);
        assert_eq!(
            near[0].0.label(),
            "s12345",
            "the literal neighbour is closest"
        );
        assert!(near.windows(2).all(|w| w[0].1.distance <= w[1].1.distance));
        assert!(s.near_miss_candidates("/items/12345x").len() <= NEAR_MISS_BUDGET);
    }

    #[test]
    fn small_sets_are_evaluated_whole_for_near_misses() {
        let s = set(vec![
            json!({"name": "far", "request": {"method": "POST", "url": "/zzzzzz"}}),
            json!({"name": "close", "request": {"method": "GET", "url": "/thing"}}),
        ]);
        let a = asked("GET", "/thin", &[], "");
        let near = s.near_misses(&a.req(), 5);
        let labels: Vec<&str> = near.iter().map(|(s, _)| s.label()).collect();
        assert_eq!(labels, ["close", "far"]);
    }

    fn answer(
        set: &StubSet,
        store: &MemoryStore,
        a: &crate::pattern::test_support::Asked,
    ) -> Outcome {
        let directives = Directives::default();
        let req = a.req();
        set.answer(&Ask {
            req: &req,
            directives: &directives,
            entropy: 1,
            store,
        })
    }

    #[test]
    fn answers_hits_with_the_stub_and_misses_with_the_report() {
        let s = set(vec![
            json!({"name": "greeting", "request": {"method": "GET", "url": "/hello",
            "headers": {"X-Id": {"equalTo": "1"}}}, "response": {"status": 201, "body": "hi"}}),
        ]);
        let store = MemoryStore::new();
        assert_eq!(s.kind(), Kind::Stub);
        assert!(!Answerer::is_empty(&s));
        match answer(&s, &store, &asked("GET", "/hello", &[("X-Id", "1")], "")) {
            Outcome::Reply(r) => {
                assert_eq!(r.status, 201);
                assert_eq!(r.why.answerer, Kind::Stub);
                assert_eq!(r.why.stub.as_deref(), Some(s.stubs()[0].id.as_str()));
            }
            Outcome::Miss { .. } => panic!("expected a hit"),
        }
        match answer(&s, &store, &asked("GET", "/hello", &[("X-Id", "2")], "")) {
            Outcome::Miss { near, report } => {
                assert_eq!(near.len(), 1);
                assert_eq!(near[0].label, "greeting");
                assert_eq!(near[0].reasons, ["header X-Id"]);
                let report = report.expect("a report");
                assert_eq!(report.status, 404);
                assert_eq!(report.headers[0].1, "text/plain;charset=UTF-8");
                let body = String::from_utf8_lossy(&report.body);
                assert!(body.contains("Request was not matched"), "{body}");
                assert!(body.contains("<<<<< Header does not match"), "{body}");
            }
            Outcome::Reply(_) => panic!("expected a miss"),
        }
    }

    #[test]
    fn a_miss_waiting_for_a_scenario_says_so() {
        let s = set(vec![
            json!({"name": "later", "scenarioName": "flow", "requiredScenarioState": "done",
            "request": {"url": "/x"}}),
        ]);
        match answer(&s, &MemoryStore::new(), &asked("GET", "/x", &[], "")) {
            Outcome::Miss { near, report } => {
                assert_eq!(near[0].reasons, ["scenario state Started"]);
                let body = String::from_utf8_lossy(&report.expect("report").body).into_owned();
                assert!(body.contains("<<<<< Scenario does not match"), "{body}");
            }
            Outcome::Reply(_) => panic!("expected a miss"),
        }
    }

    #[test]
    fn an_empty_set_reports_that_it_has_no_stubs() {
        let s = StubSet::new(Vec::new());
        assert!(s.is_empty());
        match answer(&s, &MemoryStore::new(), &asked("GET", "/x", &[], "")) {
            Outcome::Miss { near, report } => {
                assert!(near.is_empty());
                assert_eq!(&report.expect("report").body[..], diff::NO_STUBS.as_bytes());
            }
            Outcome::Reply(_) => panic!("expected a miss"),
        }
    }
}
