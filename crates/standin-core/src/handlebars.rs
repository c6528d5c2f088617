//! What the Handlebars sources (WireMock stub templates, Mockoon bodies) check before
//! compiling: how deep their blocks nest. The Handlebars parser takes time far beyond
//! linear in the nesting (a thousand nested `{{#if}}` blocks, 24 KB, took over ten
//! seconds), and a stub can arrive through the admin API, so a template nested past
//! [`MAX_BLOCK_DEPTH`] is refused before it is parsed.

/// The deepest nesting of blocks (`{{#…}}` … `{{/…}}`) a template may have.
pub const MAX_BLOCK_DEPTH: usize = 64;

/// The deepest block nesting of `text`, counting every `{{#`/`{{^` as an opening and
/// every `{{/` as a closing (a `~` for whitespace control allowed after the braces).
pub fn block_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = text;
    while let Some(at) = rest.find("{{") {
        rest = &rest[at + 2..];
        let tag = rest.trim_start_matches('{').trim_start_matches('~');
        match tag.as_bytes().first() {
            Some(b'#' | b'^') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Some(b'/') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// An error naming the nesting when `text` nests blocks deeper than [`MAX_BLOCK_DEPTH`].
pub fn check_depth(text: &str) -> Result<(), String> {
    let depth = block_depth(text);
    if depth > MAX_BLOCK_DEPTH {
        return Err(format!(
            "template blocks nest {depth} deep; at most {MAX_BLOCK_DEPTH} are supported"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_blocks_not_expressions() {
        assert_eq!(block_depth("plain {{request.path}}"), 0);
        assert_eq!(
            block_depth("{{#if a}}{{#each b}}x{{/each}}{{/if}}{{#if c}}{{/if}}"),
            2
        );
        assert_eq!(block_depth("{{~#if a~}}{{^b}}{{/b}}{{~/if~}}"), 2);
        assert!(check_depth(&"{{#if a}}".repeat(64)).is_ok());
        let err = check_depth(&"{{#if a}}".repeat(1000)).unwrap_err();
        assert_eq!(
            err,
            "template blocks nest 1000 deep; at most 64 are supported"
        );
    }
}
