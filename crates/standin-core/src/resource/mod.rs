//! Resources found in an OpenAPI document, for stateful mocks: which paths are a
//! collection and its items, a nested collection scoped to its parent, or a singleton;
//! which property identifies an item and how new identifiers are made; where the item
//! sits in each response; what a collection holds before any write.
//!
//! Found at load (`Resources::discover`) from path shapes, methods and schemas, with no
//! configuration: `/pets` and `/pets/{petId}` are one resource whose items are
//! identified by the property `petId` names or mirrors (`id`, `pet_id`...);
//! `/users/{userId}/orders` is scoped to a user; `/users/{id}/profile` with no item
//! path and no list is a singleton. Every operation not taken says why, for `standin
//! check --stateful`. Submodules: `schema` (properties through `$ref`/`allOf`, where an
//! item sits in a response) and `patch` (merge patch and JSON patch).

pub mod patch;
pub(crate) mod schema;

use std::collections::HashMap;

use http::Method;
use serde_json::Value;

use crate::model::{Document, MediaDef, Operation, ResponseDef, StatusKey};
use crate::validate::ValueCheck;

pub use schema::{ItemPlace, ListPlace};

/// What an operation does to its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `GET` on a collection.
    List,
    /// `POST` on a collection.
    Create,
    /// `GET` on an item (or a singleton).
    Read,
    /// `PUT` on an item (or a singleton).
    Replace,
    /// `PATCH` on an item (or a singleton).
    Update,
    /// `DELETE` on an item (or a singleton).
    Delete,
}

impl IdKind {
    /// The name in `check`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Integer => "next integer",
            IdKind::Uuid => "uuid",
            IdKind::Text => "generated string",
        }
    }
}

impl Action {
    /// The name in the journal and in `check`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::List => "list",
            Action::Create => "create",
            Action::Read => "read",
            Action::Replace => "replace",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// How a new item's identifier is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// The next integer.
    Integer,
    /// A random uuid.
    Uuid,
    /// A string generated from the identifier's schema (a uuid when none fits).
    Text,
}

/// One resource.
#[derive(Debug)]
pub struct Resource {
    /// Index of its document in the snapshot.
    pub doc: usize,
    /// Its name: the collection path template (`/users/{userId}/orders`), or the
    /// singleton's path template.
    pub name: String,
    /// A singleton (`/users/{id}/profile`): one item per parent, no identifier of its own.
    pub singleton: bool,
    /// The item path template, when there is one.
    pub item_template: Option<String>,
    /// The item path parameter (`petId`).
    pub param: Option<String>,
    /// The path parameters of the parents, outermost first (they make the scope).
    pub parents: Vec<String>,
    /// The resource whose items this one's belong to (an index in `Resources::list`):
    /// `/users` for `/users/{userId}/orders`.
    pub parent: Option<usize>,
    /// The property holding an item's identifier.
    pub id_prop: String,
    /// How new identifiers are made.
    pub id_kind: IdKind,
    /// JSON pointer of the identifier's schema, when the document has one.
    pub id_schema: Option<String>,
    /// Whether a client may choose an item's identifier when it creates one: the
    /// identifier has a schema that is not `readOnly`.
    pub id_client_set: bool,
    /// JSON pointer of one item's schema, when the document has one.
    pub item_schema: Option<String>,
    /// What each collection holds before any write: the document's examples.
    pub seed: Vec<Value>,
    /// The item's schema, compiled, to check an item after a change.
    pub check: Option<ValueCheck>,
    /// The operations taken, with what each does.
    pub operations: Vec<(String, Action)>,
}

/// An operation not taken as part of a resource, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Index of its document.
    pub doc: usize,
    /// `METHOD /template` (or its operationId).
    pub operation: String,
    /// Why, as a sentence.
    pub reason: String,
}

/// Every resource of a snapshot's documents.
#[derive(Debug, Default)]
pub struct Resources {
    /// The resources, by document then path.
    pub list: Vec<Resource>,
    /// Operations not taken.
    pub skipped: Vec<Skipped>,
    by_op: HashMap<(usize, usize), (usize, Action)>,
}

fn is_param(segment: &str) -> Option<&str> {
    let inner = segment.strip_prefix('{')?.strip_suffix('}')?;
    (!inner.contains(['{', '}'])).then_some(inner)
}

/// The success response of an operation: the lowest 2xx, else `default`.
pub(crate) fn success(op: &Operation) -> Option<&ResponseDef> {
    op.responses
        .iter()
        .filter(|r| matches!(r.key, StatusKey::Code(200..=299)))
        .min_by_key(|r| r.key)
        .or_else(|| op.responses.iter().find(|r| r.key == StatusKey::Range(2)))
        .or_else(|| op.response(StatusKey::Default))
}

/// The first JSON media type of a response.
pub(crate) fn json_media(r: &ResponseDef) -> Option<&MediaDef> {
    r.media.iter().find(|m| crate::wire::is_json(&m.media_type))
}

/// The first example value of a media type.
fn example_of(m: &MediaDef) -> Option<&Value> {
    m.examples
        .first()
        .or(m.schema_example.as_ref())
        .map(|e| &e.value)
}

/// The JSON request body schema of an operation.
fn body_schema(op: &Operation) -> Option<&str> {
    op.request_body
        .as_ref()?
        .media
        .iter()
        .find(|m| crate::wire::is_json(&m.media_type))?
        .schema
        .as_deref()
}

/// `petId` → `pet_id`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `pet_id` → `petId`.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in name.chars() {
        if c == '_' || c == '-' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The property names an item path parameter may stand for, most telling first.
fn id_candidates(param: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    if let Some(p) = param {
        push(p.to_string());
        let lower = p.to_ascii_lowercase();
        if lower == "id" || lower.ends_with("id") {
            push("id".into());
        }
        push(snake(p));
        push(camel(p));
    }
    push("id".into());
    push("uuid".into());
    out
}

/// The singular-ish name of a collection path (`/users/{id}/orders` → `orders`).
fn last_literal(template: &str) -> &str {
    template.rsplit('/').next().unwrap_or("")
}

struct Paths<'d> {
    /// Template → (operation index, operation).
    by_template: Vec<(&'d str, Vec<(usize, &'d Operation)>)>,
}

impl<'d> Paths<'d> {
    fn of(doc: &'d Document) -> Paths<'d> {
        let mut by_template: Vec<(&str, Vec<(usize, &Operation)>)> = Vec::new();
        for (i, op) in doc.operations.iter().enumerate() {
            match by_template.iter_mut().find(|(t, _)| *t == op.template) {
                Some((_, ops)) => ops.push((i, op)),
                None => by_template.push((&op.template, vec![(i, op)])),
            }
        }
        Paths { by_template }
    }

    fn ops(&self, template: &str) -> &[(usize, &'d Operation)] {
        self.by_template
            .iter()
            .find(|(t, _)| *t == template)
            .map_or(&[], |(_, ops)| ops.as_slice())
    }

    fn method(&self, template: &str, m: &Method) -> Option<(usize, &'d Operation)> {
        self.ops(template)
            .iter()
            .find(|(_, o)| o.method == *m)
            .copied()
    }

    /// The item template under a collection template (`/pets` → `/pets/{petId}`).
    fn item_of(&self, collection: &str) -> Option<(&'d str, &'d str)> {
        self.by_template.iter().find_map(|(t, _)| {
            let rest = t.strip_prefix(collection)?.strip_prefix('/')?;
            is_param(rest).map(|p| (*t, p))
        })
    }
}

/// Whether a GET answers a list (its success schema is an array or a list envelope).
fn lists(doc: &Document, op: &Operation) -> bool {
    success(op)
        .and_then(json_media)
        .and_then(|m| m.schema.as_deref())
        .and_then(|p| schema::locate_list(&doc.root, p, last_literal(&op.template)))
        .is_some()
}

impl Resources {
    /// The resource and action of an operation, when it was taken.
    pub fn of(&self, doc: usize, op: usize) -> Option<(&Resource, Action)> {
        let (r, a) = self.by_op.get(&(doc, op))?;
        Some((self.list.get(*r)?, *a))
    }

    /// A resource by its name (in any document).
    pub fn named(&self, name: &str) -> Option<&Resource> {
        self.list.iter().find(|r| r.name == name)
    }

    /// Finds the resources of every document.
    pub fn discover(documents: &[Document]) -> Resources {
        let mut out = Resources::default();
        for (di, doc) in documents.iter().enumerate() {
            out.discover_doc(di, doc);
        }
        out
    }

    fn discover_doc(&mut self, di: usize, doc: &Document) {
        let paths = Paths::of(doc);
        let mut taken: Vec<usize> = Vec::new();
        let mut reasons: HashMap<usize, String> = HashMap::new();
        // Literal-ended paths, and the collections item paths imply (`/tags` of
        // `/tags/{tagId}` even when the document has no `/tags`).
        let mut candidates: Vec<String> = Vec::new();
        for (template, _) in &paths.by_template {
            let t = match template.rsplit_once('/') {
                Some((prefix, last)) if is_param(last).is_some() => prefix,
                _ => template,
            };
            let literal = t
                .rsplit('/')
                .next()
                .is_some_and(|l| !l.is_empty() && !l.contains('{'));
            if literal && !candidates.iter().any(|c| c == t) {
                candidates.push(t.to_string());
            }
        }
        for template in &candidates {
            let template = template.as_str();
            let segments: Vec<&str> = template.split('/').skip(1).collect();
            let parent_is_item =
                segments.len() >= 2 && is_param(segments[segments.len() - 2]).is_some();
            let item = paths.item_of(template);
            let post = paths.method(template, &Method::POST);
            let get = paths.method(template, &Method::GET);
            let list_get = get.filter(|(_, o)| lists(doc, o));
            if item.is_some() || list_get.is_some() {
                self.collection(di, doc, &paths, template, item, &mut taken, &mut reasons);
            } else if parent_is_item {
                self.singleton(di, doc, &paths, template, &mut taken, &mut reasons);
            } else if post.is_some() {
                for (oi, _) in paths.ops(template) {
                    reasons.entry(*oi).or_insert_with(|| format!(
                        "{template} has a POST but no item path and no list answer: nothing reads what it creates back"
                    ));
                }
            } else {
                for (oi, _) in paths.ops(template) {
                    reasons.entry(*oi).or_insert_with(|| format!(
                        "{template} is not a collection (no item path {template}/{{id}}, no POST, no list answer) and not under an item"
                    ));
                }
            }
        }
        self.link_parents(di);
        for (oi, op) in doc.operations.iter().enumerate() {
            if taken.contains(&oi) {
                continue;
            }
            let reason = reasons.remove(&oi).unwrap_or_else(|| {
                let segs: Vec<&str> = op.template.split('/').skip(1).collect();
                let n = segs.len();
                if n >= 2 && is_param(segs[n - 1]).is_some() && is_param(segs[n - 2]).is_some() {
                    format!(
                        "{} ends in two parameters: no collection path names its items",
                        op.template
                    )
                } else {
                    format!("{} {} has no resource meaning here", op.method, op.template)
                }
            });
            self.skipped.push(Skipped {
                doc: di,
                operation: op.label(),
                reason,
            });
        }
    }

    /// Links each nested resource of document `di` to the resource whose item path
    /// its path starts with.
    fn link_parents(&mut self, di: usize) {
        for i in 0..self.list.len() {
            let r = &self.list[i];
            if r.doc != di || r.parents.is_empty() {
                continue;
            }
            let found = self.list.iter().position(|p| {
                p.doc == di
                    && !p.singleton
                    && p.param.as_deref() == r.parents.last().map(String::as_str)
                    && p.item_template
                        .as_deref()
                        .is_some_and(|t| r.name.starts_with(&format!("{t}/")))
            });
            self.list[i].parent = found;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn collection(
        &mut self,
        di: usize,
        doc: &Document,
        paths: &Paths<'_>,
        template: &str,
        item: Option<(&str, &str)>,
        taken: &mut Vec<usize>,
        reasons: &mut HashMap<usize, String>,
    ) {
        let root = &doc.root;
        let param = item.map(|(_, p)| p);
        let candidates = id_candidates(param);
        let looks = |props: &[(String, String)]| {
            props.iter().any(|(n, _)| candidates.iter().any(|c| c == n))
        };
        let own = last_literal(template);
        // Where the item's schema is described, best source first.
        let item_get = item.and_then(|(t, _)| paths.method(t, &Method::GET));
        let post = paths.method(template, &Method::POST);
        let list = paths.method(template, &Method::GET);
        let from_response = |op: Option<(usize, &Operation)>| {
            let ptr = success(op?.1).and_then(json_media)?.schema.as_deref()?;
            schema::locate_item(root, ptr, &looks).map(|(_, p)| p)
        };
        let item_schema = from_response(item_get)
            .or_else(|| from_response(post))
            .or_else(|| {
                let ptr = success(list?.1).and_then(json_media)?.schema.as_deref()?;
                schema::locate_list(root, ptr, own).map(|(_, p)| p)
            })
            .or_else(|| {
                let put = item.and_then(|(t, _)| paths.method(t, &Method::PUT))?;
                body_schema(put.1).map(str::to_string)
            })
            .or_else(|| post.and_then(|p| body_schema(p.1)).map(str::to_string));
        let props = item_schema
            .as_deref()
            .and_then(|p| schema::at(root, p))
            .map(|(s, at)| schema::properties(root, s, &at))
            .unwrap_or_default();
        let id_prop = candidates
            .iter()
            .find(|c| props.iter().any(|(n, _)| n == *c))
            .cloned()
            .unwrap_or_else(|| "id".to_string());
        let id_schema = props
            .iter()
            .find(|(n, _)| *n == id_prop)
            .map(|(_, p)| p.clone());
        let param_schema = item.and_then(|(t, p)| {
            paths.ops(t).iter().find_map(|(_, o)| {
                o.parameters
                    .iter()
                    .find(|x| x.name == p)
                    .and_then(|x| x.schema.clone())
            })
        });
        let id_kind = id_kind(root, id_schema.as_deref(), param_schema.as_deref());
        let id_client_set = id_schema
            .as_deref()
            .and_then(|p| crate::pointer::get(root, p))
            .is_some_and(|s| !schema::flag(root, s, "readOnly"));

        let mut seed: Vec<Value> = Vec::new();
        if let Some((_, op)) = list
            && let Some(m) = success(op).and_then(json_media)
            && let Some(ex) = example_of(m)
        {
            let place = m
                .schema
                .as_deref()
                .and_then(|p| schema::locate_list(root, p, own))
                .map(|(place, _)| place);
            let items = match place {
                Some(ListPlace::Wrapped(name)) => ex.get(&name),
                _ => Some(ex),
            };
            seed.extend(
                items
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|v| v.is_object())
                    .cloned(),
            );
        }
        if let Some((_, op)) = item_get
            && let Some(m) = success(op).and_then(json_media)
            && let Some(ex) = example_of(m)
        {
            let place = m
                .schema
                .as_deref()
                .and_then(|p| schema::locate_item(root, p, &looks))
                .map(|(place, _)| place);
            let one = match place {
                Some(ItemPlace::Wrapped(name)) => ex.get(&name),
                _ => Some(ex),
            };
            if let Some(one) = one.filter(|v| v.is_object())
                && let Some(id) = one.get(&id_prop)
                && !seed.iter().any(|s| s.get(&id_prop) == Some(id))
            {
                seed.push(one.clone());
            }
        }
        // Items without an identifier are still items: the store numbers them.
        if post.is_none_or(|(_, p)| unfit(p).is_some()) && seed.is_empty() {
            let reason = format!(
                "{template} has no POST that creates items from a JSON body and no examples to hold, so it is answered without state"
            );
            for t in std::iter::once(template).chain(item.map(|(t, _)| t)) {
                for (oi, _) in paths.ops(t) {
                    reasons.insert(*oi, reason.clone());
                }
            }
            return;
        }

        let index = self.list.len();
        let mut operations = Vec::new();
        let mut take = |oi: usize, op: &Operation, action: Option<Action>, where_: &str| {
            match action.map(|a| (a, unfit(op))) {
                Some((a, None)) => {
                    self.by_op.insert((di, oi), (index, a));
                    taken.push(oi);
                    operations.push((op.label(), a));
                }
                Some((_, Some(why))) => {
                    reasons.insert(oi, why);
                }
                None => {
                    reasons.insert(
                    oi,
                    format!("{} on {where_} has no resource meaning (a collection lists with GET and creates with POST; an item is read, replaced, updated and deleted)", op.method),
                );
                }
            }
        };
        for (oi, op) in paths.ops(template) {
            let action = match op.method {
                Method::GET => Some(Action::List),
                Method::POST => Some(Action::Create),
                _ => None,
            };
            take(*oi, op, action, "a collection");
        }
        if let Some((t, _)) = item {
            for (oi, op) in paths.ops(t) {
                take(*oi, op, item_action(&op.method), "an item");
            }
        }
        let parents = template
            .split('/')
            .filter_map(is_param)
            .map(str::to_string)
            .collect();
        let check = item_schema.as_deref().map(|p| ValueCheck::compile(doc, p));
        self.list.push(Resource {
            doc: di,
            name: template.to_string(),
            singleton: false,
            item_template: item.map(|(t, _)| t.to_string()),
            param: param.map(str::to_string),
            parents,
            parent: None,
            id_prop,
            id_kind,
            id_schema,
            id_client_set,
            item_schema,
            seed,
            check,
            operations,
        });
    }

    fn singleton(
        &mut self,
        di: usize,
        doc: &Document,
        paths: &Paths<'_>,
        template: &str,
        taken: &mut Vec<usize>,
        reasons: &mut HashMap<usize, String>,
    ) {
        let root = &doc.root;
        let get = paths.method(template, &Method::GET);
        let put = paths.method(template, &Method::PUT);
        let item_schema = get
            .and_then(|(_, o)| success(o).and_then(json_media)?.schema.as_deref())
            .and_then(|p| schema::locate_item(root, p, &|_| false).map(|(_, p)| p))
            .or_else(|| put.and_then(|(_, o)| body_schema(o)).map(str::to_string));
        let mut seed = Vec::new();
        if let Some((_, op)) = get
            && let Some(ex) = success(op).and_then(json_media).and_then(example_of)
            && ex.is_object()
        {
            seed.push(ex.clone());
        }
        let index = self.list.len();
        let mut operations = Vec::new();
        for (oi, op) in paths.ops(template) {
            match item_action(&op.method).map(|a| (a, unfit(op))) {
                Some((a, None)) => {
                    self.by_op.insert((di, *oi), (index, a));
                    taken.push(*oi);
                    operations.push((op.label(), a));
                }
                Some((_, Some(why))) => {
                    reasons.insert(*oi, why);
                }
                None => {
                    reasons.insert(
                        *oi,
                        format!("{} on a singleton has no resource meaning (it is read, replaced, updated and deleted)", op.method),
                    );
                }
            }
        }
        if operations.is_empty() {
            return;
        }
        let parents = template
            .split('/')
            .filter_map(is_param)
            .map(str::to_string)
            .collect();
        let check = item_schema.as_deref().map(|p| ValueCheck::compile(doc, p));
        self.list.push(Resource {
            doc: di,
            name: template.to_string(),
            singleton: true,
            item_template: None,
            param: None,
            parents,
            parent: None,
            id_prop: String::new(),
            id_kind: IdKind::Text,
            id_schema: None,
            id_client_set: false,
            item_schema,
            seed,
            check,
            operations,
        });
    }
}

/// Why an operation cannot be answered from the store, when it cannot: a success
/// answer that is not JSON, or a body to store that is not JSON.
fn unfit(op: &Operation) -> Option<String> {
    if !success(op).is_some_and(|r| r.media.is_empty() || json_media(r).is_some()) {
        return Some("its success response is not JSON".into());
    }
    let writes = matches!(op.method, Method::POST | Method::PUT | Method::PATCH);
    if writes {
        let json_body = op
            .request_body
            .as_ref()
            .is_some_and(|b| b.media.iter().any(|m| crate::wire::is_json(&m.media_type)));
        if !json_body {
            return Some("its request body is not JSON, so there is nothing to store".into());
        }
    }
    None
}

fn item_action(m: &Method) -> Option<Action> {
    Some(match *m {
        Method::GET => Action::Read,
        Method::PUT => Action::Replace,
        Method::PATCH => Action::Update,
        Method::DELETE => Action::Delete,
        _ => return None,
    })
}

fn id_kind(root: &Value, id_schema: Option<&str>, param_schema: Option<&Value>) -> IdKind {
    let of = |s: &Value| {
        let ty = schema::type_of(root, s)?;
        let format = schema::keyword(root, s, "format").and_then(Value::as_str);
        Some(match (ty.as_str(), format) {
            ("integer" | "number", _) => IdKind::Integer,
            ("string", Some("uuid")) => IdKind::Uuid,
            ("string", _) => IdKind::Text,
            _ => return None,
        })
    };
    id_schema
        .and_then(|p| crate::pointer::get(root, p))
        .and_then(of)
        .or_else(|| param_schema.and_then(of))
        .unwrap_or(IdKind::Integer)
}

#[cfg(test)]
mod tests;
