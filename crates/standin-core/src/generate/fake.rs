//! Realistic values: small word lists of our own, the guess of a [`Kind`] from a property
//! name or an `x-faker` generator name, and the value of each kind for a JSON type.
//!
//! Everything here only proposes; the caller checks the proposal against the schema and
//! falls back to type-based generation when it does not fit.

use rand::RngExt;
use rand::rngs::StdRng;

const FIRST_NAMES: &[&str] = &[
    "Alice", "Bruno", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kara", "Liam", "Maya", "Noah", "Olivia", "Pablo", "Quinn", "Rosa", "Samir", "Tara", "Umar",
    "Vera", "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Felix", "Nadia", "Oscar",
];
const LAST_NAMES: &[&str] = &[
    "Anderson", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ivanova",
    "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt",
    "Tanaka", "Usman", "Varga", "Walker", "Young", "Zhang", "Novak", "Silva",
];
const CITIES: &[&str] = &[
    "Lisbon",
    "Berlin",
    "Toronto",
    "Osaka",
    "Nairobi",
    "Lyon",
    "Austin",
    "Melbourne",
    "Oslo",
    "Seville",
    "Krakow",
    "Dublin",
    "Porto",
    "Denver",
    "Utrecht",
    "Valencia",
    "Bergen",
    "Montreal",
];
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("Portugal", "PT", "PRT"),
    ("Germany", "DE", "DEU"),
    ("Canada", "CA", "CAN"),
    ("Japan", "JP", "JPN"),
    ("Kenya", "KE", "KEN"),
    ("France", "FR", "FRA"),
    ("United States", "US", "USA"),
    ("Australia", "AU", "AUS"),
    ("Norway", "NO", "NOR"),
    ("Spain", "ES", "ESP"),
    ("Poland", "PL", "POL"),
    ("Ireland", "IE", "IRL"),
    ("Netherlands", "NL", "NLD"),
    ("Brazil", "BR", "BRA"),
];
const STATES: &[&str] = &[
    "California",
    "Ontario",
    "Bavaria",
    "Texas",
    "Queensland",
    "Catalonia",
    "Oregon",
];
const STREETS: &[&str] = &[
    "Maple Street",
    "Harbour Road",
    "Elm Avenue",
    "Station Lane",
    "Park Drive",
    "Mill Street",
    "River Walk",
    "Oak Boulevard",
    "Church Road",
    "Market Square",
];
const COMPANIES: &[&str] = &[
    "Acme Corp",
    "Northwind Labs",
    "Bluefin Systems",
    "Greenleaf Foods",
    "Ironclad Software",
    "Brightpath Media",
    "Copperline Energy",
    "Summit Analytics",
    "Harborview Logistics",
    "Lumen Health",
];
const PRODUCTS: &[&str] = &[
    "Wireless Mouse",
    "Espresso Maker",
    "Trail Backpack",
    "Desk Lamp",
    "Noise-Cancelling Headphones",
    "Water Bottle",
    "Mechanical Keyboard",
    "Yoga Mat",
    "Smart Thermostat",
    "Travel Mug",
];
const JOBS: &[&str] = &[
    "Software Engineer",
    "Product Manager",
    "Data Analyst",
    "Designer",
    "Accountant",
    "Support Specialist",
    "Sales Manager",
    "Nurse",
    "Teacher",
    "Architect",
];
const WORDS: &[&str] = &[
    "alpha", "amber", "anchor", "apple", "arrow", "atlas", "bamboo", "beacon", "birch", "blossom",
    "breeze", "canyon", "cedar", "cloud", "comet", "coral", "crystal", "delta", "dune", "ember",
    "falcon", "fern", "field", "forest", "galaxy", "garden", "glacier", "harbor", "horizon",
    "island", "jade", "lagoon", "lantern", "maple", "meadow", "meteor", "mist", "nebula", "ocean",
    "orbit", "pebble", "pine", "planet", "prairie", "quartz", "river", "sage", "shadow", "spark",
    "spruce", "stone", "summit", "thunder", "timber", "valley", "willow",
];
const SENTENCES: &[&str] = &[
    "A reliable choice for everyday use.",
    "Updated after the latest review.",
    "Ships within two business days.",
    "Please contact support for more details.",
    "This record was created by the import job.",
    "Handles most common cases out of the box.",
    "Recommended by the team for new projects.",
    "Part of the spring collection.",
    "Scheduled for the next maintenance window.",
    "Includes a one-year limited warranty.",
];
const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SEK"];
const LANGUAGES: &[&str] = &["en", "fr", "de", "es", "pt", "ja", "nl", "it"];
const LOCALES: &[&str] = &["en-US", "fr-FR", "de-DE", "es-ES", "pt-BR", "ja-JP"];
const TIMEZONES: &[&str] = &[
    "Europe/Lisbon",
    "America/New_York",
    "Asia/Tokyo",
    "Europe/Berlin",
    "UTC",
];
const COLORS: &[&str] = &[
    "red", "teal", "orange", "purple", "navy", "olive", "silver", "crimson",
];
const MIME_TYPES: &[&str] = &[
    "application/json",
    "image/png",
    "text/plain",
    "application/pdf",
    "image/jpeg",
];
const EXTENSIONS: &[&str] = &["pdf", "png", "txt", "csv", "jpg"];
const STATUSES: &[&str] = &["active", "pending", "completed", "archived"];
const DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];

/// What a value stands for, guessed from a property name or named by `x-faker`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Email,
    FirstName,
    LastName,
    FullName,
    Username,
    Phone,
    City,
    Country,
    CountryCode,
    State,
    Street,
    ZipCode,
    Url,
    ImageUrl,
    DateTime,
    Date,
    Money,
    Currency,
    Description,
    Title,
    Id,
    Uuid,
    Count,
    Status,
    Company,
    Product,
    JobTitle,
    Latitude,
    Longitude,
    Color,
    Ipv4,
    Ipv6,
    Hostname,
    Slug,
    Token,
    Password,
    Age,
    Year,
    Language,
    Locale,
    Timezone,
    MimeType,
    FileName,
    Version,
    Percent,
    Rating,
    Word,
    Boolean,
    Integer,
}

fn pick<'l>(rng: &mut StdRng, list: &'l [&'l str]) -> &'l str {
    list[rng.random_range(0..list.len())]
}

/// Lower-cased words of a property name: `createdAt`, `created_at` and `Created-At` all
/// give `["created", "at"]`.
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// The kind a property name suggests, if any.
pub(crate) fn kind_for_name(name: &str) -> Option<Kind> {
    let words = name_words(name);
    let last = words.last()?.as_str();
    let joined: String = words.concat();
    let has = |w: &str| words.iter().any(|x| x == w);
    let k = match joined.as_str() {
        "firstname" | "givenname" | "forename" => Kind::FirstName,
        "lastname" | "surname" | "familyname" => Kind::LastName,
        "name" | "fullname" | "displayname" | "contactname" | "author" | "owner"
        | "customername" => Kind::FullName,
        "username" | "login" | "handle" | "nickname" | "screenname" => Kind::Username,
        "countrycode" | "countryiso" | "isocountry" => Kind::CountryCode,
        "zip" | "zipcode" | "postalcode" | "postcode" => Kind::ZipCode,
        "lat" | "latitude" => Kind::Latitude,
        "lng" | "lon" | "long" | "longitude" => Kind::Longitude,
        "ip" | "ipaddress" | "ipv4" | "clientip" => Kind::Ipv4,
        "ipv6" => Kind::Ipv6,
        "uuid" | "guid" => Kind::Uuid,
        "birthday" | "birthdate" | "dob" | "dateofbirth" => Kind::Date,
        "mimetype" | "contenttype" | "mediatype" => Kind::MimeType,
        "filename" => Kind::FileName,
        "jobtitle" | "occupation" | "position" => Kind::JobTitle,
        "companyname" | "company" | "organization" | "organisation" | "employer" | "org" => {
            Kind::Company
        }
        "productname" => Kind::Product,
        "hostname" | "host" | "domain" | "domainname" => Kind::Hostname,
        "timezone" | "tz" => Kind::Timezone,
        "locale" => Kind::Locale,
        "language" | "lang" | "languagecode" => Kind::Language,
        "currency" | "currencycode" => Kind::Currency,
        "age" => Kind::Age,
        "year" => Kind::Year,
        "slug" => Kind::Slug,
        "password" | "passwd" => Kind::Password,
        "status" | "state" if has("status") => Kind::Status,
        _ => match last {
            "email" | "mail" => Kind::Email,
            "phone" | "mobile" | "telephone" | "fax" | "tel" => Kind::Phone,
            "city" | "town" => Kind::City,
            "country" => Kind::Country,
            "state" | "region" | "province" => Kind::State,
            "street" | "address" | "line1" | "address1" => Kind::Street,
            "avatar" | "image" | "photo" | "picture" | "thumbnail" | "logo" | "icon" => {
                Kind::ImageUrl
            }
            "url" | "uri" | "href" | "link" | "website" | "homepage" => {
                if has("avatar")
                    || has("image")
                    || has("photo")
                    || has("picture")
                    || has("logo")
                    || has("thumbnail")
                {
                    Kind::ImageUrl
                } else {
                    Kind::Url
                }
            }
            "at" | "timestamp" | "datetime" | "time" | "created" | "updated" | "modified"
            | "deleted" => Kind::DateTime,
            "date" | "day" => Kind::Date,
            "price" | "amount" | "cost" | "balance" | "fee" | "salary" | "subtotal" | "tax"
            | "revenue" => Kind::Money,
            "description" | "summary" | "bio" | "about" | "comment" | "message" | "note"
            | "notes" | "text" | "content" | "body" | "details" => Kind::Description,
            "title" | "subject" | "headline" | "label" | "caption" => Kind::Title,
            "id" | "identifier" => Kind::Id,
            "uuid" | "guid" => Kind::Uuid,
            "count" | "total" | "quantity" | "qty" | "size" | "length" | "number" | "num"
            | "views" | "likes" => Kind::Count,
            "status" => Kind::Status,
            "company" | "organization" | "organisation" => Kind::Company,
            "color" | "colour" => Kind::Color,
            "token" | "secret" | "apikey" | "hash" | "signature" => Kind::Token,
            "version" => Kind::Version,
            "percent" | "percentage" | "ratio" => Kind::Percent,
            "rating" | "score" | "stars" => Kind::Rating,
            "name" => match words.first().map(String::as_str) {
                Some("first" | "given") => Kind::FirstName,
                Some("last" | "family") => Kind::LastName,
                Some("user") => Kind::Username,
                Some("company" | "org" | "organization") => Kind::Company,
                Some("product" | "item") => Kind::Product,
                Some("file") => Kind::FileName,
                Some("host" | "domain") => Kind::Hostname,
                Some(
                    "display" | "full" | "contact" | "customer" | "person" | "author" | "owner",
                ) => Kind::FullName,
                _ => Kind::Title,
            },
            "tag" | "tags" | "type" | "kind" | "category" | "keyword" => Kind::Word,
            _ if words.first().map(String::as_str) == Some("is")
                || words.first().map(String::as_str) == Some("has") =>
            {
                Kind::Boolean
            }
            _ => return None,
        },
    };
    Some(k)
}

/// The kind an `x-faker` generator name asks for (`name.firstName`, `internet.email`,
/// `person.fullName`...). Unknown names give `None`, and generation falls back to types.
pub(crate) fn kind_for_faker(faker: &str) -> Option<Kind> {
    let lower = faker.to_ascii_lowercase();
    let (category, method) = lower.rsplit_once('.').unwrap_or(("", lower.as_str()));
    let k = match method {
        "firstname" => Kind::FirstName,
        "lastname" => Kind::LastName,
        "findname" | "fullname" | "name" if matches!(category, "name" | "person" | "") => {
            Kind::FullName
        }
        "name" | "companyname" if category == "company" => Kind::Company,
        "productname" | "product" => Kind::Product,
        "jobtitle" | "jobtype" => Kind::JobTitle,
        "email" | "exampleemail" | "safeemail" => Kind::Email,
        "username" => Kind::Username,
        "url" | "domainurl" => Kind::Url,
        "avatar" | "imageurl" | "image" | "urlloremflickr" | "urlpicsumphotos" => Kind::ImageUrl,
        "ip" | "ipv4" => Kind::Ipv4,
        "ipv6" => Kind::Ipv6,
        "domainname" | "domain" | "hostname" => Kind::Hostname,
        "password" => Kind::Password,
        "city" | "cityname" => Kind::City,
        "country" => Kind::Country,
        "countrycode" => Kind::CountryCode,
        "state" | "county" => Kind::State,
        "streetaddress" | "street" | "streetname" => Kind::Street,
        "zipcode" | "postcode" => Kind::ZipCode,
        "latitude" => Kind::Latitude,
        "longitude" => Kind::Longitude,
        "number" | "phonenumber" | "imei" if category == "phone" => Kind::Phone,
        "phonenumber" => Kind::Phone,
        "word" | "words" | "noun" | "adjective" | "verb" => Kind::Word,
        "sentence" | "sentences" | "paragraph" | "paragraphs" | "text" | "lines"
        | "description" => Kind::Description,
        "past" | "recent" | "future" | "soon" | "anytime" | "between" | "datetime" => {
            Kind::DateTime
        }
        "birthdate" => Kind::Date,
        "uuid" => Kind::Uuid,
        "amount" | "price" => Kind::Money,
        "currencycode" | "currency" => Kind::Currency,
        "boolean" | "bool" => Kind::Boolean,
        "int" | "integer" | "float" | "number" => Kind::Integer,
        "color" | "human" | "colorname" => Kind::Color,
        "locale" => Kind::Locale,
        "timezone" | "timezonename" => Kind::Timezone,
        "mimetype" => Kind::MimeType,
        "filename" | "commonfilename" => Kind::FileName,
        "semver" | "version" => Kind::Version,
        "slug" => Kind::Slug,
        "title" => Kind::Title,
        _ => return None,
    };
    Some(k)
}

fn two_digits(rng: &mut StdRng, lo: u32, hi: u32) -> u32 {
    rng.random_range(lo..=hi)
}

/// A realistic date-time in RFC 3339 (UTC), between 2019 and 2025.
pub(crate) fn date_time(rng: &mut StdRng) -> String {
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date(rng),
        two_digits(rng, 0, 23),
        two_digits(rng, 0, 59),
        two_digits(rng, 0, 59)
    )
}

/// A realistic full date (days 1–28 so every month is valid).
pub(crate) fn date(rng: &mut StdRng) -> String {
    format!(
        "{}-{:02}-{:02}",
        rng.random_range(2019..=2025),
        two_digits(rng, 1, 12),
        two_digits(rng, 1, 28)
    )
}

/// A time of day with its offset, as RFC 3339 `full-time` requires.
pub(crate) fn time(rng: &mut StdRng) -> String {
    format!(
        "{:02}:{:02}:{:02}Z",
        two_digits(rng, 0, 23),
        two_digits(rng, 0, 59),
        two_digits(rng, 0, 59)
    )
}

/// A random version-4 UUID.
pub(crate) fn uuid(rng: &mut StdRng) -> String {
    uuid_v4(rng.random(), rng.random())
}

/// The version-4 UUID these 128 bits make (the version and variant bits set over them).
pub(crate) fn uuid_v4(a: u64, b: u64) -> String {
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

pub(crate) fn word(rng: &mut StdRng) -> &'static str {
    pick(rng, WORDS)
}

/// `n` lorem-like words separated by spaces.
pub(crate) fn words(rng: &mut StdRng, n: usize) -> String {
    (0..n).map(|_| word(rng)).collect::<Vec<_>>().join(" ")
}

pub(crate) fn sentence(rng: &mut StdRng) -> &'static str {
    pick(rng, SENTENCES)
}

pub(crate) fn email(rng: &mut StdRng) -> String {
    format!(
        "{}.{}@{}",
        pick(rng, FIRST_NAMES).to_ascii_lowercase(),
        pick(rng, LAST_NAMES).to_ascii_lowercase(),
        pick(rng, DOMAINS)
    )
}

pub(crate) fn url(rng: &mut StdRng) -> String {
    format!(
        "https://{}/{}/{}",
        pick(rng, DOMAINS),
        word(rng),
        rng.random_range(1..1000)
    )
}

pub(crate) fn hostname(rng: &mut StdRng) -> String {
    format!("{}.{}", word(rng), pick(rng, DOMAINS))
}

pub(crate) fn ipv4(rng: &mut StdRng) -> String {
    format!("192.0.2.{}", rng.random_range(1..255))
}

pub(crate) fn ipv6(rng: &mut StdRng) -> String {
    format!("2001:db8::{:x}", rng.random_range(1..0xffff))
}

pub(crate) fn phone(rng: &mut StdRng) -> String {
    format!(
        "+1-555-{:03}-{:04}",
        rng.random_range(100..1000),
        rng.random_range(0..10000)
    )
}

fn full_name(rng: &mut StdRng) -> String {
    format!("{} {}", pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES))
}

fn id_string(rng: &mut StdRng) -> String {
    let letters = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let tail: String = (0..10)
        .map(|_| letters[rng.random_range(0..letters.len())] as char)
        .collect();
    tail
}

/// The string a kind gives, if it has a string form.
pub(crate) fn string_for(kind: Kind, rng: &mut StdRng, max_len: Option<u64>) -> Option<String> {
    let s = match kind {
        Kind::Email => email(rng),
        Kind::FirstName => pick(rng, FIRST_NAMES).to_string(),
        Kind::LastName => pick(rng, LAST_NAMES).to_string(),
        Kind::FullName => full_name(rng),
        Kind::Username => format!(
            "{}{}",
            pick(rng, FIRST_NAMES).to_ascii_lowercase(),
            rng.random_range(1..100)
        ),
        Kind::Phone => phone(rng),
        Kind::City => pick(rng, CITIES).to_string(),
        Kind::Country => {
            let c = COUNTRIES[rng.random_range(0..COUNTRIES.len())];
            match max_len {
                Some(2) => c.1.to_string(),
                Some(3) => c.2.to_string(),
                _ => c.0.to_string(),
            }
        }
        Kind::CountryCode => COUNTRIES[rng.random_range(0..COUNTRIES.len())]
            .1
            .to_string(),
        Kind::State => pick(rng, STATES).to_string(),
        Kind::Street => format!("{} {}", rng.random_range(1..300), pick(rng, STREETS)),
        Kind::ZipCode => format!("{:05}", rng.random_range(10000..99999)),
        Kind::Url => url(rng),
        Kind::ImageUrl => format!(
            "https://images.example.com/{}/{}.png",
            word(rng),
            rng.random_range(1..1000)
        ),
        Kind::DateTime => date_time(rng),
        Kind::Date => date(rng),
        Kind::Money => format!(
            "{}.{:02}",
            rng.random_range(1..500),
            rng.random_range(0..100)
        ),
        Kind::Currency => pick(rng, CURRENCIES).to_string(),
        Kind::Description => sentence(rng).to_string(),
        Kind::Title => {
            let mut t = words(rng, 2);
            if let Some(f) = t.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            t
        }
        Kind::Id => id_string(rng),
        Kind::Uuid => uuid(rng),
        Kind::Count | Kind::Age | Kind::Rating | Kind::Integer => {
            rng.random_range(1..100).to_string()
        }
        Kind::Year => rng.random_range(2000..2026).to_string(),
        Kind::Status => pick(rng, STATUSES).to_string(),
        Kind::Company => pick(rng, COMPANIES).to_string(),
        Kind::Product => pick(rng, PRODUCTS).to_string(),
        Kind::JobTitle => pick(rng, JOBS).to_string(),
        Kind::Latitude => format!("{:.4}", rng.random_range(-80.0..80.0)),
        Kind::Longitude => format!("{:.4}", rng.random_range(-170.0..170.0)),
        Kind::Color => pick(rng, COLORS).to_string(),
        Kind::Ipv4 => ipv4(rng),
        Kind::Ipv6 => ipv6(rng),
        Kind::Hostname => hostname(rng),
        Kind::Slug => format!("{}-{}", word(rng), word(rng)),
        Kind::Token => format!("tok_{}{}", id_string(rng), id_string(rng)),
        Kind::Password => format!("S3cure!{}", rng.random_range(1000..9999)),
        Kind::Language => pick(rng, LANGUAGES).to_string(),
        Kind::Locale => pick(rng, LOCALES).to_string(),
        Kind::Timezone => pick(rng, TIMEZONES).to_string(),
        Kind::MimeType => pick(rng, MIME_TYPES).to_string(),
        Kind::FileName => format!("{}.{}", word(rng), pick(rng, EXTENSIONS)),
        Kind::Version => format!(
            "{}.{}.{}",
            rng.random_range(0..4),
            rng.random_range(0..20),
            rng.random_range(0..10)
        ),
        Kind::Percent => rng.random_range(0..100).to_string(),
        Kind::Word => word(rng).to_string(),
        Kind::Boolean => return None,
    };
    Some(s)
}

/// The number a kind gives: `(low, high, decimals)` of a realistic range.
pub(crate) fn number_range(kind: Kind) -> Option<(f64, f64, u32)> {
    Some(match kind {
        Kind::Id => (1.0, 99_999.0, 0),
        Kind::Count => (0.0, 100.0, 0),
        Kind::Age => (18.0, 90.0, 0),
        Kind::Year => (2000.0, 2025.0, 0),
        Kind::Money => (1.0, 500.0, 2),
        Kind::Latitude => (-80.0, 80.0, 4),
        Kind::Longitude => (-170.0, 170.0, 4),
        Kind::Percent => (0.0, 100.0, 1),
        Kind::Rating => (1.0, 5.0, 0),
        Kind::Integer => (0.0, 1000.0, 0),
        _ => return None,
    })
}

/// A short ASCII key for a map entry (`additionalProperties`).
pub(crate) fn map_key(rng: &mut StdRng, i: usize) -> String {
    format!(
        "{}{}",
        word(rng),
        if i == 0 { String::new() } else { i.to_string() }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names() {
        assert_eq!(name_words("createdAt"), vec!["created", "at"]);
        assert_eq!(name_words("first_name"), vec!["first", "name"]);
        assert_eq!(name_words("Avatar-URL"), vec!["avatar", "url"]);
    }

    #[test]
    fn guesses_kinds() {
        assert_eq!(kind_for_name("email"), Some(Kind::Email));
        assert_eq!(kind_for_name("contactEmail"), Some(Kind::Email));
        assert_eq!(kind_for_name("first_name"), Some(Kind::FirstName));
        assert_eq!(kind_for_name("lastName"), Some(Kind::LastName));
        assert_eq!(kind_for_name("created_at"), Some(Kind::DateTime));
        assert_eq!(kind_for_name("user_id"), Some(Kind::Id));
        assert_eq!(kind_for_name("avatar_url"), Some(Kind::ImageUrl));
        assert_eq!(kind_for_name("price"), Some(Kind::Money));
        assert_eq!(kind_for_name("totalCount"), Some(Kind::Count));
        assert_eq!(kind_for_name("zzz"), None);
        assert_eq!(kind_for_faker("name.firstName"), Some(Kind::FirstName));
        assert_eq!(kind_for_faker("person.fullName"), Some(Kind::FullName));
        assert_eq!(kind_for_faker("location.city"), Some(Kind::City));
        assert_eq!(kind_for_faker("string.uuid"), Some(Kind::Uuid));
        assert_eq!(kind_for_faker("phone.number"), Some(Kind::Phone));
        assert_eq!(kind_for_faker("lorem.sentence"), Some(Kind::Description));
        assert_eq!(kind_for_faker("date.past"), Some(Kind::DateTime));
        assert_eq!(kind_for_faker("nope.nothing"), None);
    }
}
