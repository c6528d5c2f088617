//! JSONPath with Jayway's semantics (the library WireMock uses), shared by the
//! `matchesJsonPath` matcher and the templating `jsonPath` helper.
//!
//! Supported: `$`, `.key`, `['key']` / `["key"]`, unions `['a','b']` and `[0,2]`,
//! `[n]` with negative indexes from the end, `[*]` / `.*`, deep scan `..key` / `..[n]`
//! / `..*`, slices `[a:b]` (and a step `[a:b:c]`), filters `[?(…)]` over an array's
//! elements (or an object itself) with `@` and `$` paths, literals, `==`, `!=`, `<`,
//! `<=`, `>`, `>=`, `=~ /re/i` (the whole string), `in`, `nin`, `contains`,
//! `subsetof`, `anyof`, `noneof`, `size`, `empty`, `!`, `&&`, `||` and parentheses;
//! and a trailing function: `length()`, `size()`, `min()`, `max()`, `avg()`, `sum()`,
//! `stddev()`, `keys()`, `first()`, `last()`.
//!
//! A path is *definite* when it names one place (keys and single indexes only); Jayway
//! then returns that value, or nothing when it is missing, while an indefinite path
//! returns the list of what it selected: [`JsonPath::read`] gives that shape, which the
//! matchers rely on. [`select`] gives the selected values as a list either way.

use serde_json::{Map, Number, Value};

/// Evaluates `expr` on `doc` and returns the selected values (a function's result as
/// the one value). A definite path to a missing key selects nothing.
pub fn select(doc: &Value, expr: &str) -> Result<Vec<Value>, String> {
    let path = JsonPath::compile(expr)?;
    Ok(path.select(doc))
}

/// Evaluates `expr` on `doc` the way Jayway's `read` does: a definite path gives its
/// value (`None` when missing), an indefinite one a JSON array of the selections.
pub fn read(doc: &Value, expr: &str) -> Result<Option<Value>, String> {
    Ok(JsonPath::compile(expr)?.read(doc))
}

/// A compiled JSONPath expression.
#[derive(Debug, Clone)]
pub struct JsonPath {
    steps: Vec<Step>,
    function: Option<Function>,
}

#[derive(Debug, Clone)]
enum Step {
    Child(Selector),
    Descendant(Selector),
}

#[derive(Debug, Clone)]
enum Selector {
    Names(Vec<String>),
    Wildcard,
    Indices(Vec<i64>),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    Filter(Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Length,
    Min,
    Max,
    Avg,
    Sum,
    Stddev,
    Keys,
    First,
    Last,
}

#[derive(Debug, Clone)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Exists(Operand),
    Compare(Operand, Op, Operand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    RegexMatch,
    In,
    Nin,
    Contains,
    SubsetOf,
    AnyOf,
    NoneOf,
    Size,
    Empty,
}

#[derive(Debug, Clone)]
enum Operand {
    /// `@…` (relative) or `$…` (from the document root).
    Path {
        rooted: bool,
        path: JsonPath,
    },
    Literal(Value),
    Regex(regex::Regex),
}

impl JsonPath {
    /// Parses `expr`; the error says what is wrong and where.
    pub fn compile(expr: &str) -> Result<JsonPath, String> {
        let mut p = Parser {
            chars: expr.trim().chars().collect(),
            pos: 0,
            text: expr,
        };
        p.skip_ws();
        match p.peek() {
            Some('$') => p.pos += 1,
            // Jayway reads a path without `$` as relative to the root (`a.b`, `[0]`).
            Some(_) => {}
            None => return Err("the JSONPath expression is empty".into()),
        }
        let path = p.path(false)?;
        p.skip_ws();
        if p.pos < p.chars.len() {
            return Err(p.error("unexpected text"));
        }
        Ok(path)
    }

    /// Whether the path names a single place (no wildcard, deep scan, filter, slice or
    /// union).
    pub fn is_definite(&self) -> bool {
        self.steps.iter().all(|s| match s {
            Step::Child(Selector::Names(n)) => n.len() == 1,
            Step::Child(Selector::Indices(i)) => i.len() == 1,
            _ => false,
        })
    }

    /// The selected values as a list (a function's result as the one value).
    pub fn select(&self, doc: &Value) -> Vec<Value> {
        if self.function.is_some() {
            return self.read(doc).into_iter().collect();
        }
        self.nodes(doc, doc).into_iter().cloned().collect()
    }

    /// Jayway's `read`: the value of a definite path (None when missing), the list of
    /// selections of an indefinite one; with a function, the function's result.
    pub fn read(&self, doc: &Value) -> Option<Value> {
        self.read_from(doc, doc)
    }

    fn read_from(&self, root: &Value, start: &Value) -> Option<Value> {
        let nodes = self.nodes(root, start);
        let whole = if self.is_definite() {
            nodes.first().map(|v| (*v).clone())
        } else {
            Some(Value::Array(nodes.into_iter().cloned().collect()))
        };
        match self.function {
            None => whole,
            Some(f) => apply_function(f, &whole?),
        }
    }

    fn nodes<'a>(&self, root: &'a Value, start: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![start];
        for step in &self.steps {
            let mut next = Vec::new();
            for v in current {
                match step {
                    Step::Child(sel) => apply(sel, v, root, &mut next),
                    Step::Descendant(sel) => {
                        let mut all = Vec::new();
                        descendants(v, &mut all);
                        for d in all {
                            apply(sel, d, root, &mut next);
                        }
                    }
                }
            }
            current = next;
        }
        current
    }
}

/// `v` and every value below it, in document order (pre-order).
fn descendants<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(v);
    match v {
        Value::Object(m) => m.values().for_each(|c| descendants(c, out)),
        Value::Array(a) => a.iter().for_each(|c| descendants(c, out)),
        _ => {}
    }
}

fn index(len: usize, i: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if i < 0 { len + i } else { i };
    if (0..len).contains(&i) {
        usize::try_from(i).ok()
    } else {
        None
    }
}

fn apply<'a>(sel: &Selector, v: &'a Value, root: &'a Value, out: &mut Vec<&'a Value>) {
    match sel {
        Selector::Names(names) => {
            if let Value::Object(m) = v {
                out.extend(names.iter().filter_map(|n| m.get(n)));
            }
        }
        Selector::Wildcard => match v {
            Value::Object(m) => out.extend(m.values()),
            Value::Array(a) => out.extend(a.iter()),
            _ => {}
        },
        Selector::Indices(idx) => {
            if let Value::Array(a) = v {
                out.extend(idx.iter().filter_map(|&i| index(a.len(), i).map(|i| &a[i])));
            }
        }
        Selector::Slice(from, to, step) => {
            if let Value::Array(a) = v {
                let len = i64::try_from(a.len()).unwrap_or(i64::MAX);
                let clamp = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                let start = from.map_or(0, clamp);
                let end = to.map_or(len, clamp);
                let step = step.unwrap_or(1).max(1);
                let mut i = start;
                while i < end {
                    if let Ok(u) = usize::try_from(i) {
                        out.push(&a[u]);
                    }
                    i += step;
                }
            }
        }
        Selector::Filter(expr) => match v {
            Value::Array(a) => out.extend(a.iter().filter(|e| expr.test(e, root))),
            Value::Object(_) if expr.test(v, root) => out.push(v),
            _ => {}
        },
    }
}

fn numbers(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().filter_map(Value::as_f64).collect(),
        _ => Vec::new(),
    }
}

fn number(x: f64) -> Option<Value> {
    Number::from_f64(x).map(Value::Number)
}

fn apply_function(f: Function, v: &Value) -> Option<Value> {
    match f {
        Function::Length => match v {
            Value::Array(a) => Some(Value::from(a.len())),
            Value::Object(m) => Some(Value::from(m.len())),
            Value::String(s) => Some(Value::from(s.chars().count())),
            _ => None,
        },
        Function::Keys => v
            .as_object()
            .map(|m| Value::Array(m.keys().cloned().map(Value::String).collect())),
        Function::First => v.as_array().and_then(|a| a.first().cloned()),
        Function::Last => v.as_array().and_then(|a| a.last().cloned()),
        Function::Min | Function::Max | Function::Avg | Function::Sum | Function::Stddev => {
            let xs = numbers(v);
            if xs.is_empty() {
                return None;
            }
            let n = xs.len() as f64;
            let sum: f64 = xs.iter().sum();
            match f {
                Function::Min => number(xs.iter().copied().fold(f64::INFINITY, f64::min)),
                Function::Max => number(xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
                Function::Sum => number(sum),
                Function::Avg => number(sum / n),
                _ => {
                    let mean = sum / n;
                    number((xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt())
                }
            }
        }
    }
}

// ---------------------------------------------------------------- filters

/// A filter operand's value: missing (an `@` path that selects nothing) or a value.
fn operand_value(op: &Operand, current: &Value, root: &Value) -> Option<Value> {
    match op {
        Operand::Literal(v) => Some(v.clone()),
        Operand::Regex(_) => None,
        Operand::Path { rooted, path } => {
            let start = if *rooted { root } else { current };
            path.read_from(root, start)
        }
    }
}

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        _ => a == b,
    }
}

fn ordering(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        // Jayway compares a number with a numeric string by value.
        (Value::Number(x), Value::String(y)) => x.as_f64()?.partial_cmp(&y.parse::<f64>().ok()?),
        (Value::String(x), Value::Number(y)) => x.parse::<f64>().ok()?.partial_cmp(&y.as_f64()?),
        _ => None,
    }
}

fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

impl Expr {
    fn test(&self, current: &Value, root: &Value) -> bool {
        match self {
            Expr::Or(a, b) => a.test(current, root) || b.test(current, root),
            Expr::And(a, b) => a.test(current, root) && b.test(current, root),
            Expr::Not(e) => !e.test(current, root),
            Expr::Exists(op) => match op {
                Operand::Path { .. } => operand_value(op, current, root).is_some_and(|v| {
                    // An indefinite path exists when it selects something.
                    !matches!(op, Operand::Path { path, .. } if !path.is_definite() && v.as_array().is_some_and(Vec::is_empty))
                }),
                Operand::Literal(v) => !matches!(v, Value::Null | Value::Bool(false)),
                Operand::Regex(_) => false,
            },
            Expr::Compare(l, op, r) => {
                let left = operand_value(l, current, root);
                if *op == Op::RegexMatch {
                    let (Some(Value::String(s)), Operand::Regex(re)) = (&left, r) else {
                        return false;
                    };
                    return re.is_match(s);
                }
                let right = operand_value(r, current, root);
                match op {
                    Op::Ne => match (&left, &right) {
                        (Some(a), Some(b)) => !json_eq(a, b),
                        _ => true,
                    },
                    _ => {
                        let (Some(a), Some(b)) = (left, right) else {
                            return false;
                        };
                        compare(&a, *op, &b)
                    }
                }
            }
        }
    }
}

fn compare(a: &Value, op: Op, b: &Value) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Eq => json_eq(a, b),
        Op::Ne => !json_eq(a, b),
        Op::Lt => ordering(a, b) == Some(Less),
        Op::Le => matches!(ordering(a, b), Some(Less | Equal)),
        Op::Gt => ordering(a, b) == Some(Greater),
        Op::Ge => matches!(ordering(a, b), Some(Greater | Equal)),
        Op::In => items(b).iter().any(|x| json_eq(a, x)),
        Op::Nin => !items(b).iter().any(|x| json_eq(a, x)),
        Op::Contains => match a {
            Value::Array(xs) => xs.iter().any(|x| json_eq(x, b)),
            Value::String(s) => b.as_str().is_some_and(|t| s.contains(t)),
            _ => false,
        },
        Op::SubsetOf => {
            let pool = items(b);
            items(a).iter().all(|x| pool.iter().any(|y| json_eq(x, y)))
        }
        Op::AnyOf => {
            let pool = items(b);
            items(a).iter().any(|x| pool.iter().any(|y| json_eq(x, y)))
        }
        Op::NoneOf => {
            let pool = items(b);
            !items(a).iter().any(|x| pool.iter().any(|y| json_eq(x, y)))
        }
        Op::Size => {
            let len = match a {
                Value::Array(x) => x.len(),
                Value::String(s) => s.chars().count(),
                Value::Object(m) => m.len(),
                _ => return false,
            };
            b.as_u64()
                .is_some_and(|n| usize::try_from(n).is_ok_and(|n| n == len))
        }
        Op::Empty => {
            let empty = match a {
                Value::Array(x) => x.is_empty(),
                Value::String(s) => s.is_empty(),
                Value::Object(m) => m.is_empty(),
                _ => return false,
            };
            b.as_bool() == Some(empty)
        }
        Op::RegexMatch => false,
    }
}

// ---------------------------------------------------------------- parser

struct Parser<'t> {
    chars: Vec<char>,
    pos: usize,
    text: &'t str,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!(
            "JSONPath {:?}: {what} at character {}",
            self.text,
            self.pos + 1
        )
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        self.skip_ws();
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(&format!("expected {c:?}")))
        }
    }

    /// Steps after `$` or `@`; `in_filter` stops at the filter's operators.
    fn path(&mut self, in_filter: bool) -> Result<JsonPath, String> {
        let mut steps = Vec::new();
        let mut function = None;
        // Jayway reads `$a` / a bare `a.b` as `$.a.b`.
        if self.peek().is_some_and(is_name_char) {
            steps.push(Step::Child(Selector::Names(vec![self.name()])));
        }
        loop {
            match self.peek() {
                Some('.') if self.peek_at(1) == Some('.') => {
                    self.pos += 2;
                    let sel = match self.peek() {
                        Some('[') => self.bracket()?,
                        Some('*') => {
                            self.pos += 1;
                            Selector::Wildcard
                        }
                        Some(c) if is_name_char(c) => Selector::Names(vec![self.name()]),
                        _ => return Err(self.error("expected a key, * or [ after ..")),
                    };
                    steps.push(Step::Descendant(sel));
                }
                Some('.') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('*') => {
                            self.pos += 1;
                            steps.push(Step::Child(Selector::Wildcard));
                        }
                        Some('[') => steps.push(Step::Child(self.bracket()?)),
                        Some(c) if is_name_char(c) => {
                            let name = self.name();
                            if self.peek() == Some('(') && self.peek_at(1) == Some(')') {
                                self.pos += 2;
                                function = Some(function_named(&name).ok_or_else(|| {
                                    self.error(&format!("unknown function {name}()"))
                                })?);
                                break;
                            }
                            steps.push(Step::Child(Selector::Names(vec![name])));
                        }
                        _ => return Err(self.error("expected a key after .")),
                    }
                }
                Some('[') => steps.push(Step::Child(self.bracket()?)),
                _ => break,
            }
            if in_filter && self.peek().is_some_and(char::is_whitespace) {
                break;
            }
        }
        Ok(JsonPath { steps, function })
    }

    fn name(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(is_name_char) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn bracket(&mut self) -> Result<Selector, String> {
        self.pos += 1; // [
        self.skip_ws();
        let sel = match self.peek() {
            Some('*') => {
                self.pos += 1;
                Selector::Wildcard
            }
            Some('?') => {
                self.pos += 1;
                self.expect('(')?;
                let e = self.or_expr()?;
                self.expect(')')?;
                Selector::Filter(Box::new(e))
            }
            Some('\'' | '"') => {
                let mut names = vec![self.quoted()?];
                loop {
                    self.skip_ws();
                    if !self.eat(',') {
                        break;
                    }
                    self.skip_ws();
                    names.push(self.quoted()?);
                }
                Selector::Names(names)
            }
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => self.indices()?,
            _ => return Err(self.error("expected a key, an index, * or a filter in [ ]")),
        };
        self.expect(']')?;
        Ok(sel)
    }

    fn int(&mut self) -> Result<Option<i64>, String> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start {
            return Ok(None);
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        text.parse()
            .map(Some)
            .map_err(|_| self.error(&format!("bad index {text}")))
    }

    fn indices(&mut self) -> Result<Selector, String> {
        let first = self.int()?;
        self.skip_ws();
        if self.eat(':') {
            let to = self.int()?;
            self.skip_ws();
            let step = if self.eat(':') { self.int()? } else { None };
            return Ok(Selector::Slice(first, to, step));
        }
        let mut list = vec![first.ok_or_else(|| self.error("expected an index"))?];
        loop {
            self.skip_ws();
            if !self.eat(',') {
                break;
            }
            list.push(self.int()?.ok_or_else(|| self.error("expected an index"))?);
        }
        Ok(Selector::Indices(list))
    }

    fn quoted(&mut self) -> Result<String, String> {
        let quote = self
            .peek()
            .ok_or_else(|| self.error("expected a quoted key"))?;
        self.pos += 1;
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some('\\') => {
                    self.pos += 1;
                    let c = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    s.push(match c {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                    self.pos += 1;
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(s);
                }
                Some(c) => {
                    s.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn or_expr(&mut self) -> Result<Expr, String> {
        let mut left = self.and_expr()?;
        loop {
            self.skip_ws();
            if self.peek() == Some('|') && self.peek_at(1) == Some('|') {
                self.pos += 2;
                left = Expr::Or(Box::new(left), Box::new(self.and_expr()?));
            } else {
                return Ok(left);
            }
        }
    }

    fn and_expr(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            self.skip_ws();
            if self.peek() == Some('&') && self.peek_at(1) == Some('&') {
                self.pos += 2;
                left = Expr::And(Box::new(left), Box::new(self.unary()?));
            } else {
                return Ok(left);
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        self.skip_ws();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some('(') {
            self.pos += 1;
            let e = self.or_expr()?;
            self.expect(')')?;
            return Ok(e);
        }
        let left = self.operand()?;
        self.skip_ws();
        let Some(op) = self.operator() else {
            return Ok(Expr::Exists(left));
        };
        self.skip_ws();
        let right = if op == Op::RegexMatch {
            self.regex()?
        } else {
            self.operand()?
        };
        Ok(Expr::Compare(left, op, right))
    }

    fn operator(&mut self) -> Option<Op> {
        let two: String = self.chars[self.pos..].iter().take(2).collect();
        let op = match two.as_str() {
            "==" => Some((Op::Eq, 2)),
            "!=" => Some((Op::Ne, 2)),
            "<=" => Some((Op::Le, 2)),
            ">=" => Some((Op::Ge, 2)),
            "=~" => Some((Op::RegexMatch, 2)),
            _ => match self.peek() {
                Some('<') => Some((Op::Lt, 1)),
                Some('>') => Some((Op::Gt, 1)),
                _ => None,
            },
        };
        if let Some((op, len)) = op {
            // Jayway also reads `===` / `!==` as strict (in)equality.
            self.pos += len;
            if matches!(op, Op::Eq | Op::Ne) && self.peek() == Some('=') {
                self.pos += 1;
            }
            return Some(op);
        }
        let word: String = self.chars[self.pos..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let op = match word.as_str() {
            "in" => Op::In,
            "nin" => Op::Nin,
            "contains" => Op::Contains,
            "subsetof" => Op::SubsetOf,
            "anyof" => Op::AnyOf,
            "noneof" => Op::NoneOf,
            "size" => Op::Size,
            "empty" => Op::Empty,
            _ => return None,
        };
        self.pos += word.chars().count();
        Some(op)
    }

    fn regex(&mut self) -> Result<Operand, String> {
        if !self.eat('/') {
            return Err(self.error("expected /regex/ after =~"));
        }
        let mut body = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated /regex/")),
                Some('\\') if self.peek_at(1) == Some('/') => {
                    body.push('/');
                    self.pos += 2;
                }
                Some('/') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    body.push(c);
                    self.pos += 1;
                }
            }
        }
        let mut flags = String::new();
        while let Some(c) = self.peek().filter(|c| matches!(c, 'i' | 'm' | 's' | 'x')) {
            flags.push(c);
            self.pos += 1;
        }
        let prefix = if flags.is_empty() {
            String::new()
        } else {
            format!("(?{flags})")
        };
        regex::Regex::new(&format!("{prefix}\\A(?:{body})\\z"))
            .map(Operand::Regex)
            .map_err(|e| self.error(&format!("bad regex /{body}/: {e}")))
    }

    fn operand(&mut self) -> Result<Operand, String> {
        self.skip_ws();
        match self.peek() {
            Some(c @ ('@' | '$')) => {
                self.pos += 1;
                Ok(Operand::Path {
                    rooted: c == '$',
                    path: self.path(true)?,
                })
            }
            Some('\'' | '"') => Ok(Operand::Literal(Value::String(self.quoted()?))),
            Some('[') => {
                self.pos += 1;
                let mut list = Vec::new();
                loop {
                    self.skip_ws();
                    if self.eat(']') {
                        break;
                    }
                    match self.operand()? {
                        Operand::Literal(v) => list.push(v),
                        _ => return Err(self.error("a list holds literals only")),
                    }
                    self.skip_ws();
                    if !self.eat(',') {
                        self.expect(']')?;
                        break;
                    }
                }
                Ok(Operand::Literal(Value::Array(list)))
            }
            Some('{') => {
                // An object literal: read as JSON up to the balancing brace.
                let start = self.pos;
                let mut depth = 0usize;
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let text: String = self.chars[start..self.pos].iter().collect();
                serde_json::from_str::<Map<String, Value>>(&text.replace('\'', "\""))
                    .map(|m| Operand::Literal(Value::Object(m)))
                    .map_err(|_| self.error("bad object literal"))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.pos;
                self.pos += 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
                {
                    self.pos += 1;
                }
                let text: String = self.chars[start..self.pos].iter().collect();
                serde_json::from_str::<Number>(&text)
                    .map(|n| Operand::Literal(Value::Number(n)))
                    .map_err(|_| self.error(&format!("bad number {text}")))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let word = self.name();
                match word.as_str() {
                    "true" => Ok(Operand::Literal(Value::Bool(true))),
                    "false" => Ok(Operand::Literal(Value::Bool(false))),
                    "null" => Ok(Operand::Literal(Value::Null)),
                    _ => Err(self.error(&format!("unknown word {word}"))),
                }
            }
            _ => Err(self.error("expected @, $ or a literal")),
        }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '$' | ':')
}

fn function_named(name: &str) -> Option<Function> {
    Some(match name {
        "length" | "size" => Function::Length,
        "min" => Function::Min,
        "max" => Function::Max,
        "avg" => Function::Avg,
        "sum" => Function::Sum,
        "stddev" => Function::Stddev,
        "keys" => Function::Keys,
        "first" => Function::First,
        "last" => Function::Last,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store() -> Value {
        json!({
            "store": {
                "book": [
                    {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
                    {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
                    {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8.99},
                    {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord", "isbn": "0-395", "price": 22.99}
                ],
                "bicycle": {"color": "red", "price": 19.95}
            },
            "expensive": 10,
            "odd key": "yes"
        })
    }

    fn sel(expr: &str) -> Vec<Value> {
        select(&store(), expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    #[test]
    fn dotted_and_bracketed_keys() {
        assert_eq!(sel("$.store.bicycle.color"), vec![json!("red")]);
        assert_eq!(sel("$['store']['bicycle']['color']"), vec![json!("red")]);
        assert_eq!(sel("$[\"odd key\"]"), vec![json!("yes")]);
        assert_eq!(sel("$.missing"), Vec::<Value>::new());
        assert_eq!(sel("store.bicycle.price"), vec![json!(19.95)]);
    }

    #[test]
    fn indexes_negative_and_unions() {
        assert_eq!(sel("$.store.book[0].title"), vec![json!("Sayings")]);
        assert_eq!(sel("$.store.book[-1].title"), vec![json!("The Lord")]);
        assert_eq!(sel("$.store.book[9]"), Vec::<Value>::new());
        assert_eq!(
            sel("$.store.book[0,2].title"),
            vec![json!("Sayings"), json!("Moby Dick")]
        );
        assert_eq!(
            sel("$.store.bicycle['color','price']"),
            vec![json!("red"), json!(19.95)]
        );
    }

    #[test]
    fn wildcards_and_deep_scan() {
        assert_eq!(sel("$.store.book[*].author").len(), 4);
        assert_eq!(sel("$.store.*").len(), 2);
        assert_eq!(sel("$..author").len(), 4);
        assert_eq!(sel("$..price").len(), 5);
        assert_eq!(sel("$..book[2].title"), vec![json!("Moby Dick")]);
        assert_eq!(sel("$..isbn"), vec![json!("0-553"), json!("0-395")]);
    }

    #[test]
    fn slices() {
        assert_eq!(sel("$.store.book[0:2]").len(), 2);
        assert_eq!(sel("$.store.book[:2]").len(), 2);
        assert_eq!(sel("$.store.book[-2:]")[0]["title"], json!("Moby Dick"));
        assert_eq!(sel("$.store.book[1:]").len(), 3);
        assert_eq!(sel("$.store.book[::2]").len(), 2);
    }

    #[test]
    fn filters() {
        let titles =
            |expr: &str| -> Vec<Value> { sel(expr).iter().map(|b| b["title"].clone()).collect() };
        assert_eq!(
            titles("$.store.book[?(@.price < 10)]"),
            vec![json!("Sayings"), json!("Moby Dick")]
        );
        assert_eq!(titles("$.store.book[?(@.isbn)]").len(), 2);
        assert_eq!(titles("$.store.book[?(!@.isbn)]").len(), 2);
        assert_eq!(
            titles("$.store.book[?(@.category == 'reference')]"),
            vec![json!("Sayings")]
        );
        assert_eq!(
            titles("$.store.book[?(@.category != 'fiction')]"),
            vec![json!("Sayings")]
        );
        assert_eq!(
            titles("$.store.book[?(@.price >= 22.99)]"),
            vec![json!("The Lord")]
        );
        assert_eq!(
            titles("$.store.book[?(@.price <= 8.95)]"),
            vec![json!("Sayings")]
        );
        assert_eq!(
            titles("$.store.book[?(@.price > 20)]"),
            vec![json!("The Lord")]
        );
        assert_eq!(
            titles("$.store.book[?(@.author =~ /.*REES/i)]"),
            vec![json!("Sayings")]
        );
        assert_eq!(
            titles("$.store.book[?(@.author =~ /Rees/)]").len(),
            0,
            "=~ matches the whole string"
        );
        assert_eq!(
            titles("$.store.book[?(@.price < 10 && @.category == 'fiction')]"),
            vec![json!("Moby Dick")]
        );
        assert_eq!(
            titles("$.store.book[?(@.price > 20 || @.category == 'reference')]"),
            vec![json!("Sayings"), json!("The Lord")]
        );
        assert_eq!(titles("$.store.book[?(@.price < $.expensive)]").len(), 2);
        assert_eq!(
            titles("$.store.book[?(@.category in ['reference', 'poetry'])]"),
            vec![json!("Sayings")]
        );
        assert_eq!(
            titles("$.store.book[?(@.category nin ['fiction'])]"),
            vec![json!("Sayings")]
        );
        assert_eq!(
            titles("$..book[?(@.isbn == \"0-395\")]"),
            vec![json!("The Lord")]
        );
    }

    #[test]
    fn filter_on_an_object_tests_the_object() {
        assert_eq!(sel("$.store.bicycle[?(@.color == 'red')]").len(), 1);
        assert_eq!(sel("$.store.bicycle[?(@.color == 'blue')]").len(), 0);
    }

    #[test]
    fn functions() {
        assert_eq!(sel("$.store.book.length()"), vec![json!(4)]);
        assert_eq!(sel("$.store.book.size()"), vec![json!(4)]);
        assert_eq!(sel("$..price.length()"), vec![json!(5)]);
        assert_eq!(sel("$.store.bicycle.color.length()"), vec![json!(3)]);
        assert_eq!(sel("$.store.book[*].price.min()"), vec![json!(8.95)]);
        assert_eq!(sel("$.store.book[*].price.max()"), vec![json!(22.99)]);
        assert_eq!(
            sel("$.store.bicycle.keys()"),
            vec![json!(["color", "price"])]
        );
        assert_eq!(
            read(&json!({"a": [1, 2, 3]}), "$.a.sum()").unwrap(),
            Some(json!(6.0))
        );
        assert_eq!(
            read(&json!({"a": [1, 2, 3]}), "$.a.avg()").unwrap(),
            Some(json!(2.0))
        );
    }

    #[test]
    fn read_gives_jayway_shapes() {
        let doc = store();
        assert_eq!(
            read(&doc, "$.store.bicycle.color").unwrap(),
            Some(json!("red"))
        );
        assert_eq!(read(&doc, "$.store.nothing").unwrap(), None);
        assert_eq!(read(&doc, "$..nothing").unwrap(), Some(json!([])));
        assert_eq!(
            read(&doc, "$.store.book[*].price")
                .unwrap()
                .unwrap()
                .as_array()
                .map(Vec::len),
            Some(4)
        );
        assert!(JsonPath::compile("$.a[0].b").unwrap().is_definite());
        assert!(!JsonPath::compile("$.a[*]").unwrap().is_definite());
        assert!(!JsonPath::compile("$..a").unwrap().is_definite());
        assert!(!JsonPath::compile("$.a[0,1]").unwrap().is_definite());
    }

    #[test]
    fn bad_expressions_say_what_is_wrong() {
        for bad in [
            "",
            "$.",
            "$[",
            "$.a[?(@.b ==)]",
            "$.a.nope()",
            "$['a'",
            "$.a[?(@.b =~ /[/)]",
        ] {
            let err = select(&store(), bad).expect_err(bad);
            assert!(!err.is_empty());
        }
        let err = select(&store(), "$.a.nope()").unwrap_err();
        assert!(err.contains("unknown function nope()"), "{err}");
    }
}
