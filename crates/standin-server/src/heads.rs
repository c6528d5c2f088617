//! Whether an HTTP/2 client is part way through sending a header block: the HTTP/2
//! half of the header-read timeout (hyper times HTTP/1 heads itself, not HTTP/2's).
//!
//! [`HeadWatch`] follows the frames of a connection as its bytes are read, without
//! buffering or decoding them: it recognises the client preface, then reads each
//! frame's 9-byte header and skips its payload. A header block is open from the first
//! byte of a `HEADERS` or `PUSH_PROMISE` frame until the end of the frame that carries
//! `END_HEADERS` (that one, or the last of its `CONTINUATION`s). A client that trickles
//! a header block, or opens one and never ends it, keeps it open; the connection
//! (`conn.rs`) closes a connection whose block stays open past the timeout, as hyper
//! does for an HTTP/1 head. `DATA` and every other frame are skipped: a slow body is
//! the idle timeout's business.
//!
//! A connection whose first bytes are not the preface is not HTTP/2: the watch turns
//! itself off and costs one comparison per read from then on.

/// The client connection preface (RFC 9113 §3.4).
const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The length of a frame header (RFC 9113 §4.1).
const FRAME_HEAD: usize = 9;

/// Frame types that begin or continue a header block.
const HEADERS: u8 = 0x1;
const PUSH_PROMISE: u8 = 0x5;
const CONTINUATION: u8 = 0x9;

/// The flag that ends a header block.
const END_HEADERS: u8 = 0x4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// This many bytes of the preface have been read.
    Preface(usize),
    /// Not HTTP/2 (or past repair): nothing more is looked at.
    Off,
    /// Reading a frame header: `have` of its 9 bytes are in `head`.
    Head { head: [u8; FRAME_HEAD], have: usize },
    /// Skipping a frame's payload; `heads` when the frame belongs to a header block.
    Payload { left: u32, heads: bool },
}

/// Follows one connection's frames as they are read (see the module docs).
#[derive(Debug, Clone)]
pub struct HeadWatch {
    state: State,
    /// A `HEADERS` or `PUSH_PROMISE` without `END_HEADERS` was read, and no
    /// `CONTINUATION` with it yet.
    block_open: bool,
}

impl Default for HeadWatch {
    fn default() -> Self {
        HeadWatch {
            state: State::Preface(0),
            block_open: false,
        }
    }
}

impl HeadWatch {
    /// Whether the connection turned out not to be HTTP/2.
    pub fn is_off(&self) -> bool {
        self.state == State::Off
    }

    /// Takes the bytes just read; returns whether a header block (or the preface) is
    /// incomplete after them.
    pub fn feed(&mut self, mut bytes: &[u8]) -> bool {
        while !bytes.is_empty() {
            match &mut self.state {
                State::Off => return false,
                State::Preface(have) => {
                    let take = (PREFACE.len() - *have).min(bytes.len());
                    if bytes[..take] != PREFACE[*have..*have + take] {
                        self.state = State::Off;
                        return false;
                    }
                    *have += take;
                    bytes = &bytes[take..];
                    if *have == PREFACE.len() {
                        self.state = State::Head {
                            head: [0; FRAME_HEAD],
                            have: 0,
                        };
                    }
                }
                State::Head { head, have } => {
                    let take = (FRAME_HEAD - *have).min(bytes.len());
                    head[*have..*have + take].copy_from_slice(&bytes[..take]);
                    *have += take;
                    bytes = &bytes[take..];
                    if *have == FRAME_HEAD {
                        let left = u32::from_be_bytes([0, head[0], head[1], head[2]]);
                        let (kind, flags) = (head[3], head[4]);
                        let heads = matches!(kind, HEADERS | PUSH_PROMISE | CONTINUATION);
                        if heads {
                            self.block_open = flags & END_HEADERS == 0;
                        }
                        self.state = match left {
                            0 => State::Head {
                                head: [0; FRAME_HEAD],
                                have: 0,
                            },
                            _ => State::Payload { left, heads },
                        };
                    }
                }
                State::Payload { left, .. } => {
                    let take = (*left as usize).min(bytes.len());
                    // `take` is at most `left`, a u32.
                    *left -= take as u32;
                    bytes = &bytes[take..];
                    if *left == 0 {
                        self.state = State::Head {
                            head: [0; FRAME_HEAD],
                            have: 0,
                        };
                    }
                }
            }
        }
        self.incomplete()
    }

    /// Whether a header block (or the preface) has begun and not ended.
    fn incomplete(&self) -> bool {
        match self.state {
            State::Off => false,
            State::Preface(have) => have > 0,
            State::Head { have, .. } => have > 0 || self.block_open,
            State::Payload { heads, .. } => heads || self.block_open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, flags: u8, payload: &[u8]) -> Vec<u8> {
        let len = u32::try_from(payload.len()).expect("small").to_be_bytes();
        let mut f = vec![len[1], len[2], len[3], kind, flags, 0, 0, 0, 1];
        f.extend_from_slice(payload);
        f
    }

    fn started() -> HeadWatch {
        let mut w = HeadWatch::default();
        assert!(!w.feed(PREFACE));
        assert!(!w.feed(&frame(0x4, 0, &[])), "an empty SETTINGS");
        w
    }

    #[test]
    fn http1_turns_the_watch_off_at_the_first_byte() {
        let mut w = HeadWatch::default();
        assert!(!w.feed(b"GET / HTTP/1.1\r\n"));
        assert!(w.is_off());
        assert!(!w.feed(b"PRI * HTTP/2.0"), "off stays off");
    }

    #[test]
    fn a_preface_read_in_pieces_is_incomplete_until_whole() {
        let mut w = HeadWatch::default();
        assert!(w.feed(&PREFACE[..5]));
        assert!(w.feed(&PREFACE[5..20]));
        assert!(!w.feed(&PREFACE[20..]));
        assert!(!w.is_off());
    }

    #[test]
    fn a_whole_headers_frame_leaves_nothing_open() {
        let mut w = started();
        assert!(!w.feed(&frame(HEADERS, END_HEADERS | 0x1, b"abcdef")));
    }

    #[test]
    fn a_headers_frame_trickled_byte_by_byte_is_open_until_its_last_byte() {
        let mut w = started();
        let f = frame(HEADERS, END_HEADERS, b"0123456789");
        for (i, b) in f.iter().enumerate() {
            let open = w.feed(std::slice::from_ref(b));
            assert_eq!(open, i + 1 < f.len(), "after byte {i}");
        }
    }

    #[test]
    fn a_block_stays_open_across_continuations_until_end_headers() {
        let mut w = started();
        assert!(w.feed(&frame(HEADERS, 0, b"abc")));
        assert!(w.feed(&frame(CONTINUATION, 0, b"def")));
        assert!(!w.feed(&frame(CONTINUATION, END_HEADERS, b"ghi")));
    }

    #[test]
    fn data_and_other_frames_never_count_as_a_head() {
        let mut w = started();
        let data = frame(0x0, 0, &[7u8; 1000]);
        // A body in pieces is not a head, even mid-frame.
        assert!(!w.feed(&data[..9]));
        assert!(!w.feed(&data[9..500]));
        assert!(!w.feed(&data[500..]));
        assert!(!w.feed(&frame(0x6, 0, &[0; 8])), "a PING");
    }

    #[test]
    fn several_frames_in_one_read_end_in_the_state_of_the_last() {
        let mut w = started();
        let mut bytes = frame(HEADERS, END_HEADERS, b"a");
        bytes.extend(frame(0x0, 0x1, b"body"));
        bytes.extend(&frame(HEADERS, 0, b"b")[..4]);
        assert!(w.feed(&bytes), "the third frame is begun");
    }
}
