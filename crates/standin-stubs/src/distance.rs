//! String distance for near misses: WireMock's `normalisedLevenshteinDistance`, over a
//! bounded prefix of each side so one comparison is bounded work whatever the input.
//!
//! A miss compares the request with dozens of stubs, each on its URL and every header,
//! query parameter and body pattern, so this is the whole cost of a miss. Strings of at
//! most 64 ASCII characters on the shorter side (nearly every URL, header and parameter)
//! use the bit-parallel algorithm of Myers (1999) in Hyyrö's formulation: one pass over
//! the longer string, a few word operations per character. Anything else falls back to
//! the dynamic-programming table, one row at a time.

/// How many characters of each string the distance looks at: enough to rank real URLs,
/// small enough that a near-miss evaluation stays cheap.
pub const DISTANCE_CHARS: usize = 256;

/// Levenshtein distance over at most [`DISTANCE_CHARS`] characters of each side,
/// divided by the longer length; the unexamined tail counts by its length difference,
/// and two different strings are never at distance 0.
pub fn normalised_levenshtein(a: &str, b: &str) -> f64 {
    if a == b {
        return 0.0;
    }
    let (distance, la, lb) = if a.is_ascii() && b.is_ascii() {
        let x = &a.as_bytes()[..a.len().min(DISTANCE_CHARS)];
        let y = &b.as_bytes()[..b.len().min(DISTANCE_CHARS)];
        (bytes_distance(x, y), a.len(), b.len())
    } else {
        let x: Vec<char> = a.chars().take(DISTANCE_CHARS).collect();
        let y: Vec<char> = b.chars().take(DISTANCE_CHARS).collect();
        (table_distance(&x, &y), a.chars().count(), b.chars().count())
    };
    let longest = la.max(lb);
    let tail = la
        .saturating_sub(DISTANCE_CHARS)
        .abs_diff(lb.saturating_sub(DISTANCE_CHARS));
    let mut d = (distance + tail) as f64 / longest as f64;
    if d == 0.0 {
        // Different past the examined prefix: not a match, so never a zero distance.
        d = 1.0 / longest as f64;
    }
    d.min(1.0)
}

/// The edit distance of two byte strings.
fn bytes_distance(a: &[u8], b: &[u8]) -> usize {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.len();
    }
    if short.len() <= 64 {
        bit_parallel(short, long)
    } else {
        table_distance(short, long)
    }
}

/// Myers' bit-vector edit distance, `short` of 1 to 64 bytes: bit `i` of the vertical
/// deltas `pv`/`mv` says whether row `i + 1` of the current column is one more or one
/// less than row `i`; the score follows the last row.
fn bit_parallel(short: &[u8], long: &[u8]) -> usize {
    let m = short.len();
    let mut peq = [0u64; 128];
    for (i, &c) in short.iter().enumerate() {
        peq[usize::from(c & 0x7f)] |= 1 << i;
    }
    let last = 1u64 << (m - 1);
    let mut pv = if m == 64 { u64::MAX } else { (1u64 << m) - 1 };
    let mut mv = 0u64;
    let mut score = m;
    for &c in long {
        let eq = peq[usize::from(c & 0x7f)];
        let xv = eq | mv;
        let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
        let mut ph = mv | !(xh | pv);
        let mut mh = pv & xh;
        if ph & last != 0 {
            score += 1;
        } else if mh & last != 0 {
            score -= 1;
        }
        // The top row of the table grows by one per column (a global distance).
        ph = (ph << 1) | 1;
        mh <<= 1;
        pv = mh | !(xv | ph);
        mv = ph & xv;
    }
    score
}

/// The edit distance by the dynamic-programming table, one row kept.
fn table_distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut upper_left = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let upper = row[j + 1];
            let cost = usize::from(ca != cb);
            row[j + 1] = (row[j] + 1).min(upper + 1).min(upper_left + cost);
            upper_left = upper;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        assert_eq!(normalised_levenshtein("", ""), 0.0);
        assert_eq!(normalised_levenshtein("kitten", "sitting"), 3.0 / 7.0);
        assert_eq!(normalised_levenshtein("", "abc"), 1.0);
        assert_eq!(normalised_levenshtein("café", "cafe"), 1.0 / 4.0);
        let long_a = "x".repeat(300);
        let long_b = format!("{}y", "x".repeat(299));
        // The difference is past the examined prefix: small, but not zero.
        assert!(normalised_levenshtein(&long_a, &long_b) > 0.0);
    }

    #[test]
    fn the_bit_parallel_distance_is_the_table_distance() {
        // A fixed pseudo-random walk over short strings of a small alphabet (so
        // matches are frequent), every length from 0 to 70 on either side.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"ab/-1xyz";
        for _ in 0..4000 {
            let la = (next() % 71) as usize;
            let lb = (next() % 71) as usize;
            let a: Vec<u8> = (0..la).map(|_| alphabet[(next() % 8) as usize]).collect();
            let b: Vec<u8> = (0..lb).map(|_| alphabet[(next() % 8) as usize]).collect();
            assert_eq!(
                bytes_distance(&a, &b),
                table_distance(&a, &b),
                "{:?} {:?}",
                String::from_utf8_lossy(&a),
                String::from_utf8_lossy(&b)
            );
        }
    }
}
