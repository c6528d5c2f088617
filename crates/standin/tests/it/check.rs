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

#[test]
fn unsatisfiable_response_schemas_are_warned_about_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("api.yaml");
    std::fs::write(
        &path,
        "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /codes:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Code'}
  /other:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Code'}
components:
  schemas:
    Code:
      type: string
      minLength: 5
      maxLength: 2
",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let (code, out, _) = run(&["check", file]);
    assert_eq!(code, 0, "warnings do not fail a check: {out}");
    let warnings: Vec<&str> = out.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "one schema, reported once: {out}");
    assert!(
        warnings[0].starts_with(&format!(
            "warning: {file}:22 at #/components/schemas/Code: no value satisfies this schema"
        )),
        "{out}"
    );
    assert!(
        warnings[0].contains("response 200 application/json of GET /codes"),
        "{out}"
    );
    assert!(out.contains("0 errors, 1 warnings"), "{out}");
}

#[test]
fn a_closed_pipe_on_stdout_ends_check_quietly() {
    // `standin check … | head -0`: the reader is gone before anything is written.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(["check", "--stateful", &example("petstore.yaml")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
