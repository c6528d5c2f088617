//! Finding the line of a JSON pointer in the source text, for diagnostics.
//!
//! This is a scan, not a parse: for each object key of the pointer it looks for the
//! next occurrence of that key (`"key"` in JSON, `key:` in YAML) after the previous one.
//! It is right for the documents people write and cheap enough to run only when a
//! diagnostic is reported.

/// The 1-based line where `pointer` most likely starts in `text`, if found.
///
/// An array index counts the elements of the array the previous key opens (a JSON or
/// YAML flow `[...]`, or a YAML block sequence of `- ` items), so `/mappings/3/request`
/// is the `request` of the fourth element, not the first `request` of the file. A
/// numeric token where no array is found is looked for as a key (`responses/200`).
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    if pointer.is_empty() {
        return Some(1);
    }
    // Where the value of the last token found starts: searches go on from here.
    let mut pos = 0usize;
    let mut found_any = false;
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        if let Ok(index) = token.parse::<usize>()
            && let Some(p) = element_start(text, pos, index)
        {
            pos = p;
            found_any = true;
            continue;
        }
        let candidates = [
            format!("\"{token}\""),
            format!("'{token}':"),
            format!("{token}:"),
        ];
        let next = candidates
            .iter()
            .filter_map(|c| find_key(text, pos, c).map(|at| (at, c.len())))
            .min();
        match next {
            Some((at, len)) => {
                pos = value_start(text, at + len);
                found_any = true;
            }
            // A numeric token that is neither an element nor a key: the next key
            // narrows things down.
            None if token.parse::<usize>().is_ok() => continue,
            None => break,
        }
    }
    if !found_any {
        return None;
    }
    Some(text[..pos.min(text.len())].matches('\n').count() + 1)
}

/// Just past the `:` that follows a key ending at `after_key` (the key itself when it
/// already ends with its colon).
fn value_start(text: &str, after_key: usize) -> usize {
    if text[..after_key].ends_with(':') {
        return after_key;
    }
    let rest = &text[after_key..];
    let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    match rest[gap..].starts_with(':') {
        true => after_key + gap + 1,
        false => after_key,
    }
}

/// Where element `index` of the array whose value starts at or after `from` begins:
/// the array is the first thing there, a flow `[...]` or a block sequence of `-` items.
fn element_start(text: &str, from: usize, index: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let start = skip_blank(text, from);
    match bytes.get(start)? {
        b'[' => flow_element(text, start + 1, index),
        b'-' if bytes.get(start + 1).is_none_or(|b| b.is_ascii_whitespace()) => {
            block_element(text, start, index)
        }
        _ => None,
    }
}

/// Skips whitespace and YAML comments.
fn skip_blank(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii_whitespace() {
            at += 1;
        } else if b == b'#' {
            at = text[at..].find('\n').map_or(text.len(), |n| at + n);
        } else {
            break;
        }
    }
    at
}

/// Element `index` of a flow array whose first element starts at or after `at`.
fn flow_element(text: &str, mut at: usize, index: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    for _ in 0..index {
        at = skip_flow_value(text, skip_blank(text, at))?;
        at = skip_blank(text, at);
        if bytes.get(at) != Some(&b',') {
            return None;
        }
        at += 1;
    }
    at = skip_blank(text, at);
    match bytes.get(at) {
        None | Some(b']') => None,
        Some(_) => Some(at),
    }
}

/// The end of the flow value starting at `at`: the `,` or closing bracket after it.
/// Quoted strings are skipped whole so their brackets and commas do not count; a quote
/// inside a YAML plain scalar (`[don't, x]`) does not start one.
fn skip_flow_value(text: &str, mut at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'"' | b'\'' if opens_scalar(bytes, at) => at = string_end(bytes, at)?,
            b'[' | b'{' => depth += 1,
            b']' | b'}' if depth == 0 => return Some(at),
            b']' | b'}' => depth -= 1,
            b',' if depth == 0 => return Some(at),
            _ => {}
        }
        at += 1;
    }
    None
}

/// Whether the quote at `at` begins a scalar: nothing but blanks between it and the
/// previous `[`, `{`, `,` or `:` (or the start of the text).
fn opens_scalar(bytes: &[u8], at: usize) -> bool {
    bytes[..at]
        .iter()
        .rev()
        .find(|b| !b.is_ascii_whitespace())
        .is_none_or(|b| matches!(b, b'[' | b'{' | b',' | b':'))
}

/// The closing quote of the string opening at `at` (`\"` escapes in double quotes;
/// YAML's `''` in single quotes reads as two strings back to back, which ends alike).
fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    let quote = bytes[at];
    let mut i = at + 1;
    while let Some(&c) = bytes.get(i) {
        if c == b'\\' && quote == b'"' {
            i += 2;
            continue;
        }
        if c == quote {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Element `index` of a YAML block sequence whose first `-` is at `first`: the items
/// are the `-` lines at that column, up to a line indented less or a non-item line at
/// that column.
fn block_element(text: &str, first: usize, index: usize) -> Option<usize> {
    let line_start = text[..first].rfind('\n').map_or(0, |n| n + 1);
    let column = first - line_start;
    let mut seen = 0usize;
    let mut at = text[first..].find('\n').map(|n| first + n + 1)?;
    while seen < index {
        let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
        let line = &text[at..end];
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let blank = body.trim().is_empty() || body.starts_with('#');
        if !blank {
            if indent < column {
                return None;
            }
            if indent == column {
                let item = body.starts_with('-')
                    && body[1..].chars().next().is_none_or(char::is_whitespace);
                if !item {
                    return None;
                }
                seen += 1;
                if seen == index {
                    return Some(at + indent);
                }
            }
        }
        if end >= text.len() {
            return None;
        }
        at = end + 1;
    }
    Some(first)
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
    fn counts_json_array_elements() {
        let text = "{\n \"mappings\": [\n  {\"request\": {\"url\": \"/a\"}},\n  {\"request\": {\"url\": \"/b,[x]\"}},\n  {\n   \"request\": {\"url\": \"/c\"}\n  }\n ]\n}";
        assert_eq!(line_of(text, "/mappings/0/request/url"), Some(3));
        assert_eq!(line_of(text, "/mappings/1/request/url"), Some(4));
        // Commas and brackets inside strings are not element boundaries.
        assert_eq!(line_of(text, "/mappings/2/request/url"), Some(6));
        assert_eq!(line_of(text, "/mappings/2"), Some(5));
    }

    #[test]
    fn counts_nested_and_root_arrays() {
        let text = "[\n {\"a\": [1, [2, 3], {\"b\": 4}]},\n {\"a\": [\n  0,\n  {\"b\": 5}\n ]}\n]";
        assert_eq!(line_of(text, "/1/a/1/b"), Some(5));
        assert_eq!(line_of(text, "/0/a/2/b"), Some(2));
    }

    #[test]
    fn counts_yaml_block_sequence_items() {
        let text = "mappings:\n  - request:\n      url: /a\n    response: {status: 200}\n\n  # a comment\n  - request:\n      url: /b\n  -   request:\n        url: /c\nother: 1\n";
        assert_eq!(line_of(text, "/mappings/0/request/url"), Some(3));
        assert_eq!(line_of(text, "/mappings/1/request/url"), Some(8));
        assert_eq!(line_of(text, "/mappings/2/request/url"), Some(10));
        assert_eq!(line_of(text, "/mappings/1"), Some(7));
    }

    #[test]
    fn counts_yaml_flow_and_unindented_sequences() {
        let text = "tags: [don't,\n  'b, c',\n  say \"x,\n  d]\nitems:\n- x: 1\n- x: 2\nnext: 3\n";
        assert_eq!(line_of(text, "/items/1/x"), Some(7));
        assert_eq!(line_of(text, "/tags/3"), Some(4));
        assert_eq!(line_of(text, "/tags/1"), Some(2));
        assert_eq!(line_of(text, "/next"), Some(8));
    }

    #[test]
    fn an_index_past_the_end_or_without_an_array_falls_back() {
        let text = "{\n \"a\": [\n  {\"k\": 1}\n ],\n \"k\": 2\n}";
        // No element 5: the index is skipped and the next key found after the array key.
        assert_eq!(line_of(text, "/a/5/k"), Some(3));
        // A numeric object key (OpenAPI responses) is found as a key.
        let yaml = "responses:\n  '200':\n    description: ok\n  404:\n    description: no\n";
        assert_eq!(line_of(yaml, "/responses/404/description"), Some(5));
        assert_eq!(line_of(yaml, "/responses/200/description"), Some(3));
    }

    #[test]
    fn finds_json_keys() {
        let text = "{\n \"paths\": {\n  \"/a\": {\n   \"get\": {}\n  }\n }\n}";
        assert_eq!(line_of(text, "/paths/~1a/get"), Some(4));
    }
}
