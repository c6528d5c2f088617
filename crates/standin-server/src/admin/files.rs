//! `/__admin/files`: the files under `__files/` (what `bodyFileName` points at) listed,
//! read, written and deleted. No path escapes the root: `..`, absolute paths,
//! backslashes and NUL are refused, and a path through a symbolic link that leaves the
//! root is refused too.

use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http::{Method, Request, Response};
use serde_json::{Value, json};
use standin_core::wire::percent_decode;

use super::{Admin, bad_request, bytes_response, error, json_response, not_found, ok};

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
}

/// The file a `/files/...` path names, inside `root`; an error answer otherwise.
fn resolve(root: &Path, segments: &[&str]) -> Result<PathBuf, Response<Bytes>> {
    let refuse = |why: &str| bad_request(&format!("Invalid file path: {why}"));
    let decoded: Vec<String> = segments.iter().map(|s| percent_decode(s)).collect();
    if decoded.iter().all(String::is_empty) {
        return Err(refuse("no file named"));
    }
    let mut path = root.to_path_buf();
    for seg in decoded.iter().filter(|s| !s.is_empty()) {
        if seg.contains(['\\', '\0']) {
            return Err(refuse("backslashes and NUL are not allowed"));
        }
        let p = Path::new(seg);
        if p.components().count() != 1
            || !matches!(p.components().next(), Some(Component::Normal(_)))
        {
            return Err(refuse(&format!("{seg:?} would leave the files directory")));
        }
        path.push(seg);
    }
    // Symbolic links: the deepest existing ancestor must still be inside the root.
    if let Ok(real_root) = root.canonicalize() {
        let mut probe = path.as_path();
        loop {
            if let Ok(real) = probe.canonicalize() {
                if !real.starts_with(&real_root) {
                    return Err(refuse("it leads out of the files directory"));
                }
                break;
            }
            match probe.parent() {
                Some(parent) => probe = parent,
                None => break,
            }
        }
    }
    Ok(path)
}

/// Routes `/files/...`.
pub(crate) fn route(
    admin: &Admin,
    method: &Method,
    rest: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    let Some(root) = admin.registry.files_root().map(Path::to_path_buf) else {
        return Some(not_found("this mock has no __files directory"));
    };
    if rest.is_empty() || rest == [""] {
        return (method == Method::GET).then(|| {
            let mut all = Vec::new();
            list_files(&root, &root, &mut all);
            all.sort();
            json_response(200, &json!(all))
        });
    }
    if !matches!(method.as_str(), "GET" | "PUT" | "DELETE") {
        return None;
    }
    let path = match resolve(&root, rest) {
        Ok(p) => p,
        Err(e) => return Some(e),
    };
    let io_error = |what: &str, e: std::io::Error| {
        error(
            500,
            500,
            None,
            &format!("cannot {what} {}", path.display()),
            &e.to_string(),
        )
    };
    Some(match method.as_str() {
        "GET" => match std::fs::read(&path) {
            Ok(bytes) if path.is_file() => {
                bytes_response(200, "application/octet-stream", Bytes::from(bytes))
            }
            _ => not_found(&format!("no file {} under __files", rest.join("/"))),
        },
        "PUT" => {
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, req.body()));
            match written {
                // WireMock answers the content as JSON (a byte array: base64 text).
                Ok(()) => json_response(200, &Value::String(BASE64.encode(req.body()))),
                Err(e) => io_error("write", e),
            }
        }
        _ => match std::fs::remove_file(&path) {
            Ok(()) => ok(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ok(),
            Err(e) => io_error("delete", e),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use serde_json::json;

    #[test]
    fn files_list_read_write_delete() {
        let f = fixture();
        let a = &f.admin;
        let (status, v, _) = call(a, "GET", "/__admin/files", "");
        assert_eq!(status, 200);
        assert_eq!(v, json!(["sub/f.txt"]));
        let (status, _, res) = call(a, "GET", "/__admin/files/sub/f.txt", "");
        assert_eq!(status, 200);
        assert_eq!(&res.body()[..], b"file body");
        let (status, v, _) = call(a, "PUT", "/__admin/files/new/dir/n%20ame.txt", "abc");
        assert_eq!(status, 200);
        assert_eq!(v, json!("YWJj"));
        assert_eq!(
            std::fs::read_to_string(f.dir.path().join("__files/new/dir/n ame.txt")).unwrap(),
            "abc"
        );
        let (_, v, _) = call(a, "GET", "/__admin/files", "");
        assert_eq!(v, json!(["new/dir/n ame.txt", "sub/f.txt"]));
        let (status, _, _) = call(a, "DELETE", "/__admin/files/sub/f.txt", "");
        assert_eq!(status, 200);
        let (status, _, _) = call(a, "GET", "/__admin/files/sub/f.txt", "");
        assert_eq!(status, 404);
        let (status, _, _) = call(a, "GET", "/__admin/files/sub", "");
        assert_eq!(status, 404);
    }

    #[test]
    fn no_path_leaves_the_root() {
        let f = fixture();
        std::fs::write(f.dir.path().join("secret.txt"), "no").unwrap();
        for bad in [
            "/__admin/files/../secret.txt",
            "/__admin/files/%2e%2e/secret.txt",
            "/__admin/files/sub/%2E%2E/%2E%2E/secret.txt",
            "/__admin/files/%2Fetc%2Fpasswd",
            "/__admin/files/a%5C..%5Csecret.txt",
        ] {
            let (status, _, res) = call(&f.admin, "GET", bad, "");
            assert_eq!(status, 400, "{bad}: {:?}", res.body());
            let (status, _, _) = call(&f.admin, "PUT", bad, "x");
            assert_eq!(status, 400, "{bad}");
        }
        assert_eq!(
            std::fs::read_to_string(f.dir.path().join("secret.txt")).unwrap(),
            "no"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_out_of_the_root_is_refused() {
        let f = fixture();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), f.dir.path().join("__files/out")).unwrap();
        let (status, _, _) = call(&f.admin, "PUT", "/__admin/files/out/x.txt", "x");
        assert_eq!(status, 400);
        assert!(!outside.path().join("x.txt").exists());
    }
}
