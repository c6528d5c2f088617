//! The settings a mock has, validated: what the flags and the config file resolve to.

/// A fixed or random delay in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delay {
    /// Lower bound, inclusive.
    pub min_ms: u64,
    /// Upper bound, inclusive (equal to `min_ms` for a fixed delay).
    pub max_ms: u64,
}

impl Delay {
    /// Parses `250`, `100-300`, or the network presets `2G` (300 ms) and `3G` (100 ms).
    pub fn parse(text: &str) -> Result<Delay, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("2g") {
            return Ok(Delay {
                min_ms: 300,
                max_ms: 300,
            });
        }
        if t.eq_ignore_ascii_case("3g") {
            return Ok(Delay {
                min_ms: 100,
                max_ms: 100,
            });
        }
        let num = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| format!("invalid delay '{text}': expected milliseconds such as 250, or a range such as 100-300"))
        };
        let (min, max) = match t.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => {
                let v = num(t)?;
                (v, v)
            }
        };
        if min > max {
            return Err(format!(
                "invalid delay '{text}': the range starts above its end"
            ));
        }
        if max > 600_000 {
            return Err(format!(
                "invalid delay '{text}': at most 600000 ms (10 minutes)"
            ));
        }
        Ok(Delay {
            min_ms: min,
            max_ms: max,
        })
    }

    /// The delay to apply, given a random number.
    pub fn pick(self, entropy: u64) -> u64 {
        if self.max_ms == self.min_ms {
            self.min_ms
        } else {
            self.min_ms + entropy % (self.max_ms - self.min_ms + 1)
        }
    }
}

/// Which example to send when a response has several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExampleChoice {
    /// Always the first.
    #[default]
    First,
    /// A random one per request.
    Random,
    /// Each in turn.
    Sequential,
}

impl std::str::FromStr for ExampleChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "first" => Ok(Self::First),
            "random" => Ok(Self::Random),
            "sequential" => Ok(Self::Sequential),
            other => Err(format!(
                "invalid example choice '{other}': expected first, random or sequential"
            )),
        }
    }
}

/// Which status to answer with when none is forced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StatusChoice {
    /// The lowest 2xx, then `default`, then the lowest code.
    #[default]
    Lowest,
    /// A random one of the defined (and allowed) codes.
    Random,
}

impl std::str::FromStr for StatusChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "lowest" => Ok(Self::Lowest),
            "random" => Ok(Self::Random),
            other => Err(format!(
                "invalid status choice '{other}': expected lowest or random"
            )),
        }
    }
}

/// What request validation does with a bad request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ValidateMode {
    /// Answer with the error the real API would give.
    #[default]
    Enforce,
    /// Answer normally, listing the violations in a header and the log.
    Warn,
    /// Do not validate.
    Off,
}

impl std::str::FromStr for ValidateMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "enforce" => Ok(Self::Enforce),
            "warn" => Ok(Self::Warn),
            "off" => Ok(Self::Off),
            other => Err(format!(
                "invalid validate mode '{other}': expected enforce, warn or off"
            )),
        }
    }
}

/// Whether the mock checks its own answers against the document's response schemas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ResponseCheck {
    /// Not checked.
    #[default]
    Off,
    /// Answered as built; what breaks the schema is listed in `x-standin-violations`
    /// and Prism's `sl-violations` header.
    Report,
    /// An answer that breaks its schema becomes a 500 listing the violations (Prism's
    /// `--errors`).
    Enforce,
}

impl std::str::FromStr for ResponseCheck {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "off" => Ok(Self::Off),
            "report" => Ok(Self::Report),
            "enforce" => Ok(Self::Enforce),
            other => Err(format!(
                "invalid response check '{other}': expected off, report or enforce"
            )),
        }
    }
}

/// How HAR entries are matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HarMatch {
    /// Playwright's rules: exact URL and query, byte-equal POST body.
    #[default]
    Strict,
    /// Query order ignored, JSON bodies compared as JSON.
    Lenient,
}

impl std::str::FromStr for HarMatch {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "strict" => Ok(Self::Strict),
            "lenient" => Ok(Self::Lenient),
            other => Err(format!(
                "invalid HAR match mode '{other}': expected strict or lenient"
            )),
        }
    }
}

/// Everything that shapes how one mock answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockSettings {
    /// Overrides every document's base path (`--base-path`).
    pub base_path: Option<String>,
    /// Delay added to every response.
    pub delay: Option<Delay>,
    /// Example choice.
    pub examples: ExampleChoice,
    /// Status choice.
    pub status_choice: StatusChoice,
    /// Codes the status choice may pick from (empty: any).
    pub statuses: Vec<u16>,
    /// CORS headers and preflight answers.
    pub cors: bool,
    /// The seed generated data derives from.
    pub seed: u64,
    /// Vary generated data on every request.
    pub dynamic: bool,
    /// Generate bodies from the schema even where the document has examples.
    pub ignore_examples: bool,
    /// Generated objects whose declared properties are all required also get a few
    /// undeclared ones where the schema allows (json-schema-faker's `fillProperties`).
    pub fill_properties: bool,
    /// Check answers against their response schemas.
    pub check_responses: ResponseCheck,
    /// Request validation.
    pub validate: ValidateMode,
    /// Credentials accepted (`--accept-credential`); empty: any well-formed one.
    pub accept_credentials: Vec<String>,
    /// A private mock: every request must carry `x-api-key` with this value.
    pub api_key: Option<String>,
    /// A Postman environment file whose variables fill `{{var}}` in collections.
    pub postman_env: Option<std::path::PathBuf>,
    /// Environment variables set directly (the admin API's mock settings): they fill
    /// `{{var}}` in collections like the environment file's, and win over them.
    pub variables: Vec<(String, String)>,
    /// Request headers saved examples are matched on (Postman's
    /// `x-mock-match-request-headers`, as a setting).
    pub match_headers: Vec<String>,
    /// Match saved examples on the request body too.
    pub match_body: bool,
    /// How HAR entries are matched.
    pub har_match: HarMatch,
    /// Only HAR entries whose host or URL matches one of these globs are served.
    pub har_filter: Vec<String>,
    /// Stateful mocking: the document's resources are created, read, updated and
    /// deleted in the store (`--stateful`).
    pub stateful: bool,
    /// The most resource items the mock's store holds.
    pub state_max_items: usize,
    /// The most bytes the mock's store holds.
    pub state_max_bytes: usize,
    /// A partial mock: what no source answers is forwarded here (`--upstream`).
    pub upstream: Option<String>,
    /// The validation proxy (`standin proxy`): every request goes upstream, checked
    /// against the documents on the way in and out.
    pub forward_all: bool,
}

impl Default for MockSettings {
    fn default() -> Self {
        MockSettings {
            base_path: None,
            delay: None,
            examples: ExampleChoice::First,
            status_choice: StatusChoice::Lowest,
            statuses: Vec::new(),
            cors: true,
            seed: 0,
            dynamic: false,
            ignore_examples: false,
            fill_properties: false,
            check_responses: ResponseCheck::Off,
            validate: ValidateMode::Enforce,
            accept_credentials: Vec::new(),
            api_key: None,
            postman_env: None,
            variables: Vec::new(),
            match_headers: Vec::new(),
            match_body: false,
            har_match: HarMatch::Strict,
            har_filter: Vec::new(),
            stateful: false,
            state_max_items: crate::state::DEFAULT_MAX_ITEMS,
            state_max_bytes: crate::state::DEFAULT_MAX_BYTES,
            upstream: None,
            forward_all: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays() {
        assert_eq!(
            Delay::parse("250"),
            Ok(Delay {
                min_ms: 250,
                max_ms: 250
            })
        );
        assert_eq!(
            Delay::parse("100-300"),
            Ok(Delay {
                min_ms: 100,
                max_ms: 300
            })
        );
        assert!(
            Delay::parse("300-100")
                .unwrap_err()
                .contains("starts above")
        );
        assert!(
            Delay::parse("soon")
                .unwrap_err()
                .contains("invalid delay 'soon'")
        );
        let d = Delay::parse("100-300").unwrap();
        assert!((100..=300).contains(&d.pick(u64::MAX)));
    }
}
