//! Finding the line of a JSON pointer in the source text, for diagnostics.
//!
//! This is a scan, not a parse: for each object key of the pointer it looks for the
//! next occurrence of that key (`"key"` in JSON, `key:` in YAML) after the previous one.
//! It is right for the documents people write and cheap enough to run only when a
//! diagnostic is reported.

/// The 1-based line where `pointer` most likely starts in `text`, if found.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    if pointer.is_empty() {
        return Some(1);
    }
    let mut pos = 0usize;
    let mut found_any = false;
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        if token.parse::<usize>().is_ok() {
            // Array indexes are not searched for; the next key narrows things down.
            continue;
        }
        let candidates = [
            format!("\"{token}\""),
            format!("'{token}':"),
            format!("{token}:"),
        ];
        let next = candidates
            .iter()
            .filter_map(|c| find_key(text, pos, c))
            .min();
        match next {
            Some(p) => {
                pos = p + 1;
                found_any = true;
            }
            None => break,
        }
    }
    if !found_any {
        return None;
    }
    Some(text[..pos.min(text.len())].matches('\n').count() + 1)
}

/// Finds `needle` at or after `from` where it stands as a key: preceded by blank,
/// `{`, `,`, `-` or line start.
fn find_key(text: &str, from: usize, needle: &str) -> Option<usize> {
    let mut start = from;
    while start <= text.len() {
        let rel = text.get(start..)?.find(needle)?;
        let at = start + rel;
        let before = text[..at].chars().next_back();
        let ok_before = matches!(
            before,
            None | Some(' ' | '\t' | '\n' | '\r' | '{' | ',' | '-')
        );
        let after = text[at + needle.len()..]
            .trim_start_matches([' ', '\t'])
            .chars()
            .next();
        let ok_after = needle.ends_with(':') || matches!(after, Some(':'));
        if ok_before && ok_after {
            return Some(at);
        }
        start = at + needle.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::line_of;

    #[test]
    fn finds_yaml_keys() {
        let text = "openapi: 3.0.0\npaths:\n  /pets:\n    get:\n      responses: {}\n";
        assert_eq!(line_of(text, "/paths/~1pets/get"), Some(4));
    }

    #[test]
    fn finds_json_keys() {
        let text = "{\n \"paths\": {\n  \"/a\": {\n   \"get\": {}\n  }\n }\n}";
        assert_eq!(line_of(text, "/paths/~1a/get"), Some(4));
    }
}
