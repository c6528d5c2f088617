//! Resource discovery on the example petstore and a document with nested resources,
//! an envelope list, a wrapped item and a singleton.

use super::*;
use crate::source::{self, MemoryFiles};

fn load(text: &str) -> Vec<Document> {
    let mut files = MemoryFiles::new();
    files.insert("doc.yaml", text);
    let loaded = source::load(&files, std::path::Path::new("doc.yaml"));
    vec![loaded.document.expect("the document loads")]
}

const PETSTORE: &str = include_str!("../../../../examples/petstore.yaml");
const SHOP: &str = include_str!("../../../standin/tests/fixtures/stateful/shop.yaml");

#[test]
fn petstore_has_one_resource_identified_by_the_property_pet_id_mirrors() {
    let docs = load(PETSTORE);
    let r = Resources::discover(&docs);
    assert_eq!(r.list.len(), 1, "{:?}", r.list);
    let pets = &r.list[0];
    assert_eq!(pets.name, "/pets");
    assert_eq!(pets.item_template.as_deref(), Some("/pets/{petId}"));
    assert_eq!(pets.id_prop, "id");
    assert_eq!(pets.id_kind, IdKind::Integer);
    assert_eq!(pets.seed.len(), 2, "the list example's pets");
    let actions: Vec<Action> = pets.operations.iter().map(|(_, a)| *a).collect();
    assert_eq!(
        actions,
        [Action::List, Action::Create, Action::Read, Action::Delete]
    );
    let mine = r
        .skipped
        .iter()
        .find(|s| s.operation == "myPets")
        .expect("GET /pets/mine is not taken");
    assert!(mine.reason.contains("not a collection"), "{}", mine.reason);
}

#[test]
fn nested_resources_envelopes_and_singletons_are_found() {
    let docs = load(SHOP);
    let r = Resources::discover(&docs);
    let names: Vec<&str> = r.list.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "/users",
            "/users/{userId}/orders",
            "/users/{userId}/profile",
            "/notes"
        ]
    );
    let users = r.named("/users").unwrap();
    assert_eq!(users.id_prop, "id");
    assert_eq!(users.id_kind, IdKind::Uuid);
    assert!(users.parents.is_empty());
    let orders = r.named("/users/{userId}/orders").unwrap();
    assert_eq!(orders.parents, ["userId"]);
    assert_eq!(orders.param.as_deref(), Some("orderId"));
    assert_eq!(orders.id_kind, IdKind::Integer);
    let profile = r.named("/users/{userId}/profile").unwrap();
    assert!(profile.singleton);
    assert_eq!(profile.operations.len(), 2);
    assert!(r.skipped.iter().any(|s| s.operation == "health"));
}

#[test]
fn identifiers_follow_the_parameter_name_and_schema() {
    let doc = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /books:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Book'}}}}
      responses: {'201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Book'}}}}}
  /books/{book_id}:
    get:
      parameters: [{name: book_id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Book'}}}}}
  /tags/{tagId}:
    get:
      parameters: [{name: tagId, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok, content: {application/json: {schema: {type: object}}}}}
components:
  schemas:
    Book:
      type: object
      properties:
        book_id: {type: string}
        title: {type: string}
"#;
    let r = Resources::discover(&load(doc));
    let books = r.named("/books").unwrap();
    assert_eq!(books.id_prop, "book_id");
    assert_eq!(books.id_kind, IdKind::Text);
    assert!(r.named("/tags").is_none());
    let tag = r
        .skipped
        .iter()
        .find(|s| s.operation.contains("/tags"))
        .unwrap();
    assert!(tag.reason.contains("no POST"), "{}", tag.reason);
}

#[test]
fn candidates_cover_the_spellings_of_a_parameter() {
    assert_eq!(
        id_candidates(Some("petId")),
        ["petId", "id", "pet_id", "uuid"]
    );
    assert_eq!(
        id_candidates(Some("pet_id")),
        ["pet_id", "id", "petId", "uuid"]
    );
    assert_eq!(id_candidates(Some("slug")), ["slug", "id", "uuid"]);
}

#[test]
fn operations_that_cannot_keep_state_are_left_with_a_reason() {
    let doc = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /upload:
    post:
      requestBody: {content: {multipart/form-data: {schema: {type: object}}}}
      responses: {'201': {description: ok}}
  /photos:
    get:
      responses: {'200': {description: ok, content: {application/json: {schema: {type: array, items: {type: object}}}}}}
    post:
      requestBody: {content: {image/png: {schema: {type: string, format: binary}}}}
      responses: {'201': {description: ok}}
  /files/{name}.{ext}:
    get:
      responses: {'200': {description: ok, content: {application/octet-stream: {}}}}
"#;
    let r = Resources::discover(&load(doc));
    assert!(r.list.is_empty(), "{:?}", r.list);
    let reason = |label: &str| {
        r.skipped
            .iter()
            .find(|s| s.operation == label)
            .map(|s| s.reason.clone())
            .unwrap_or_else(|| panic!("{label} is listed"))
    };
    assert!(
        reason("POST /upload").contains("nothing reads"),
        "{}",
        reason("POST /upload")
    );
    assert!(
        reason("POST /photos").contains("JSON body"),
        "{}",
        reason("POST /photos")
    );
    assert!(
        reason("GET /photos").contains("no POST"),
        "{}",
        reason("GET /photos")
    );
    assert!(reason("GET /files/{name}.{ext}").contains("no resource meaning"));
}
