//! `standin check`: every diagnostic, with file, line and JSON pointer; exit codes.

use crate::support::{example, fixture, run};

#[test]
fn a_clean_document_passes() {
    let (code, out, _) = run(&["check", &example("petstore.yaml")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("5 operations, 0 errors"), "{out}");
}

#[test]
fn diagnostics_name_file_line_and_pointer() {
    let file = fixture("broken.yaml");
    let (code, out, _) = run(&["check", &file]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "error: {file}:19 at #/paths/~1bad-ref/get/responses/200/content/application~1json/schema: unresolved $ref '#/components/schemas/Missing'"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "error: {file}:20 at #/paths/no-slash: path 'no-slash' must start with '/'"
        )),
        "{out}"
    );
    assert!(out.contains("'2000' is not a response status"), "{out}");
}

#[test]
fn syntax_errors_have_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {,}\n}\n").unwrap();
    let (code, out, _) = run(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("bad.json:3"), "{out}");
    assert!(out.contains("invalid JSON"), "{out}");
    std::fs::write(&path, "swagger: '1.2'\n").unwrap();
    let (code, out, _) = run(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("unsupported Swagger version '1.2'"), "{out}");
}

#[test]
fn help_explains_flags_with_examples() {
    let (code, out, _) = run(&["serve", "--help"]);
    assert_eq!(code, 0);
    for flag in [
        "--port",
        "--host",
        "--delay",
        "--examples",
        "--status",
        "--cors",
        "--watch",
        "--log",
        "--config",
    ] {
        assert!(out.contains(flag), "{flag} in help");
    }
    assert!(
        out.contains("Example: --delay 250, --delay 100-300"),
        "{out}"
    );
}
