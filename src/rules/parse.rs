//! The condition language: a tokenizer and a recursive-descent parser that report the
//! 1-based character column of every error.
//!
//! ```text
//! condition  := or
//! or         := and ("or" and)*
//! and        := unary ("and" unary)*
//! unary      := "not" unary | primary
//! primary    := "(" or ")" | "true" | "false" | test
//! test       := IDENT CMP STRING
//!             | sum CMP sum
//!             | IDENT "in" list | IDENT "not" "in" list
//!             | IDENT "is" "missing" | IDENT "is" "not" "missing"
//! CMP        := "==" | "!=" | "<" | "<=" | ">" | ">="
//! sum        := product (("+" | "-") product)*
//! product    := factor (("*" | "/") factor)*
//! factor     := "-" factor | DECIMAL | IDENT | "(" sum ")"
//! list       := "[" literal ("," literal)* ","? "]"
//! literal    := STRING | DECIMAL
//! ```
//!
//! A `(` where a test may start opens a `sum` when the token after its `)` is an
//! arithmetic or comparison operator (`(a + b) * 2 > c`), and a group of conditions
//! otherwise. A `-` directly before a digit is part of the decimal unless it follows a
//! value (a name, a decimal or `)`), where it subtracts: `a -5` is `a - 5`.
//!
//! A comparison becomes a [`Test`] when one side is an identifier and the other a
//! decimal (an expression of decimals alone is computed here), or the right side is a
//! text; any other is a [`Compare`].

use rust_decimal::Decimal;
use smol_str::SmolStr;

use super::condition::{
    ArithError, ArithOp, Chain, CmpOp, Compare, Cond, Expr, Link, Op, Subject, Test, Values, Var,
};
use crate::money::parse_amount;
use crate::profile::Metric;

/// The words that cannot name an identifier.
const KEYWORDS: [&str; 8] = ["and", "or", "not", "in", "is", "missing", "true", "false"];

/// How deep parentheses and `not`s may nest: deep enough for any real rule, shallow
/// enough that the parser's recursion, and every later walk of the tree (checks,
/// evaluation, explanation), cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// The rule set's table of the names that are neither `tier` nor a metric, shared by all
/// its rules: a name's slot is its position in the list. The map makes interning a name
/// constant time, however many distinct names the conditions use.
#[derive(Debug, Default)]
pub(crate) struct Names {
    list: Vec<SmolStr>,
    slots: foldhash::HashMap<SmolStr, u16>,
}

impl Names {
    /// The slot of `name`, added if new; `None` once every `u16` slot is taken.
    fn intern(&mut self, name: &str) -> Option<u16> {
        if let Some(&slot) = self.slots.get(name) {
            return Some(slot);
        }
        let slot = u16::try_from(self.list.len()).ok()?;
        self.list.push(SmolStr::new(name));
        self.slots.insert(SmolStr::new(name), slot);
        Some(slot)
    }

    /// The name in a slot.
    pub(crate) fn get(&self, slot: u16) -> Option<&SmolStr> {
        self.list.get(usize::from(slot))
    }

    /// The names from slot `from` on.
    pub(crate) fn since(&self, from: usize) -> &[SmolStr] {
        self.list.get(from..).unwrap_or_default()
    }

    /// The names, by slot.
    pub(crate) fn into_list(self) -> Vec<SmolStr> {
        self.list
    }
}

/// A syntax error: the 1-based character column where it was found, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub(crate) column: usize,
    pub(crate) message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident,
    Str(SmolStr),
    Num(Decimal),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Cmp(CmpOp),
    Arith(ArithOp),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// Byte span in the text.
    start: usize,
    end: usize,
}

/// 1-based character column of a byte offset.
fn column_of(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(byte, |s| s.chars().count()) + 1
}

/// An error at a byte offset.
fn error_at(text: &str, byte: usize, message: String) -> ParseError {
    ParseError {
        column: column_of(text, byte),
        message,
    }
}

/// The words after which a `-` starts a value rather than subtracting.
const OPERATOR_WORDS: [&str; 5] = ["and", "or", "not", "in", "is"];

/// Whether the last token ends a value, so that a `-` after it subtracts.
fn ends_value(text: &str, tokens: &[Token]) -> bool {
    tokens.last().is_some_and(|last| match last.tok {
        Tok::Num(_) | Tok::RParen => true,
        Tok::Ident => !OPERATOR_WORDS.contains(&&text[last.start..last.end]),
        _ => false,
    })
}

fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let single = |tok| Token {
            tok,
            start,
            end: start + 1,
        };
        let next_is = |expected: char| text[start + c.len_utf8()..].starts_with(expected);
        match c {
            '(' | ')' | '[' | ']' | ',' => {
                chars.next();
                tokens.push(single(match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    '[' => Tok::LBracket,
                    ']' => Tok::RBracket,
                    _ => Tok::Comma,
                }));
            }
            '=' | '!' | '<' | '>' => {
                chars.next();
                let with_eq = next_is('=');
                if with_eq {
                    chars.next();
                }
                let op = match (c, with_eq) {
                    ('=', true) => CmpOp::Eq,
                    ('!', true) => CmpOp::Ne,
                    ('<', false) => CmpOp::Lt,
                    ('<', true) => CmpOp::Le,
                    ('>', false) => CmpOp::Gt,
                    ('>', true) => CmpOp::Ge,
                    ('=', false) => {
                        return Err(error_at(
                            text,
                            start,
                            "`=` is not an operator: write `==`".into(),
                        ));
                    }
                    _ => {
                        return Err(error_at(
                            text,
                            start,
                            "`!` is not an operator: write `!=` or `not`".into(),
                        ));
                    }
                };
                tokens.push(Token {
                    tok: Tok::Cmp(op),
                    start,
                    end: start + if with_eq { 2 } else { 1 },
                });
            }
            '"' => {
                chars.next();
                let mut value = String::new();
                let mut closed = None;
                while let Some((at, c)) = chars.next() {
                    match c {
                        '"' => {
                            closed = Some(at + 1);
                            break;
                        }
                        '\\' => match chars.next() {
                            Some((_, escaped @ ('"' | '\\'))) => value.push(escaped),
                            Some((_, other)) => {
                                return Err(error_at(
                                    text,
                                    at,
                                    format!(
                                        "unknown escape `\\{other}`: only `\\\"` and `\\\\` are allowed"
                                    ),
                                ));
                            }
                            None => break,
                        },
                        other => value.push(other),
                    }
                }
                let Some(end) = closed else {
                    return Err(error_at(
                        text,
                        start,
                        "unterminated string: a `\"` is missing".into(),
                    ));
                };
                tokens.push(Token {
                    tok: Tok::Str(SmolStr::new(value)),
                    start,
                    end,
                });
            }
            '\'' => {
                return Err(error_at(
                    text,
                    start,
                    "text is quoted with double quotes `\"`, not `'`".into(),
                ));
            }
            c if c.is_ascii_digit()
                || (c == '-'
                    && text[start + 1..].starts_with(|d: char| d.is_ascii_digit())
                    && !ends_value(text, &tokens)) =>
            {
                chars.next();
                let mut end = start + 1;
                while let Some(&(at, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '.' || d == '_' {
                        chars.next();
                        end = at + d.len_utf8();
                    } else {
                        break;
                    }
                }
                let raw = &text[start..end];
                let value = parse_amount(raw)
                    .map_err(|e| error_at(text, start, format!("`{raw}` is not a decimal: {e}")))?;
                tokens.push(Token {
                    tok: Tok::Num(value),
                    start,
                    end,
                });
            }
            '+' | '-' | '*' | '/' => {
                chars.next();
                tokens.push(single(Tok::Arith(match c {
                    '+' => ArithOp::Add,
                    '-' => ArithOp::Sub,
                    '*' => ArithOp::Mul,
                    _ => ArithOp::Div,
                })));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                chars.next();
                let mut end = start + 1;
                while let Some(&(at, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' {
                        chars.next();
                        end = at + 1;
                    } else {
                        break;
                    }
                }
                tokens.push(Token {
                    tok: Tok::Ident,
                    start,
                    end,
                });
            }
            '.' => {
                return Err(error_at(
                    text,
                    start,
                    "unexpected `.`: a decimal needs a digit before its point (`0.5`)".into(),
                ));
            }
            other => {
                return Err(error_at(
                    text,
                    start,
                    format!("unexpected character `{other}`"),
                ));
            }
        }
    }
    tokens.push(Token {
        tok: Tok::End,
        start: text.len(),
        end: text.len(),
    });
    Ok(tokens)
}

struct Parser<'s, 'n> {
    text: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    names: &'n mut Names,
    /// A byte offset and its 1-based character column: tests (and the identifiers in
    /// them) come left to right, so each column is counted on from the previous one's,
    /// not from the start.
    cursor: (usize, usize),
    /// Per token, for a `(` the index of its `)`, `usize::MAX` when it has none.
    closes: Vec<usize>,
}

impl Parser<'_, '_> {
    fn peek(&self) -> &Token {
        // The last token is always `End`, and `pos` never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    /// The token `ahead` tokens after the cursor (`End` past the end).
    fn peek_at(&self, ahead: usize) -> &Token {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if token.tok != Tok::End {
            self.pos += 1;
        }
        token
    }

    fn slice(&self, token: &Token) -> &str {
        &self.text[token.start..token.end]
    }

    fn is_keyword(&self, word: &str) -> bool {
        let token = self.peek();
        token.tok == Tok::Ident && self.slice(token) == word
    }

    /// How a token is named in an error.
    fn describe(&self, token: &Token) -> String {
        match token.tok {
            Tok::End => "the end of the condition".into(),
            _ => format!("`{}`", self.slice(token)),
        }
    }

    /// The 1-based character column of a byte offset at or after the previous one asked.
    fn column_at(&mut self, byte: usize) -> usize {
        let (from, column) = self.cursor;
        let column = match self.text.get(from..byte) {
            Some(between) => column + between.chars().count(),
            None => column_of(self.text, byte),
        };
        self.cursor = (byte, column);
        column
    }

    fn error(&self, token: &Token, message: String) -> ParseError {
        error_at(self.text, token.start, message)
    }

    fn expected(&self, what: &str) -> ParseError {
        let token = self.peek();
        self.error(
            token,
            format!("expected {what}, found {}", self.describe(token)),
        )
    }

    fn nest(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let token = self.peek().clone();
            return Err(self.error(
                &token,
                format!("conditions nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Cond, ParseError> {
        let first = self.and()?;
        if !self.is_keyword("or") {
            return Ok(first);
        }
        let mut items = Vec::new();
        push_flat(&mut items, first, true);
        while self.is_keyword("or") {
            self.advance();
            let next = self.and()?;
            push_flat(&mut items, next, true);
        }
        Ok(Cond::Or(items.into()))
    }

    fn and(&mut self) -> Result<Cond, ParseError> {
        let first = self.unary()?;
        if !self.is_keyword("and") {
            return Ok(first);
        }
        let mut items = Vec::new();
        push_flat(&mut items, first, false);
        while self.is_keyword("and") {
            self.advance();
            let next = self.unary()?;
            push_flat(&mut items, next, false);
        }
        Ok(Cond::And(items.into()))
    }

    fn unary(&mut self) -> Result<Cond, ParseError> {
        if self.is_keyword("not") {
            self.advance();
            self.nest()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, ParseError> {
        let token = self.peek().clone();
        match token.tok {
            Tok::LParen if self.opens_sum() => self.test(),
            Tok::LParen => {
                self.advance();
                self.nest()?;
                let inner = self.or()?;
                self.depth -= 1;
                if self.peek().tok != Tok::RParen {
                    return Err(self.expected("`)`, `and` or `or`"));
                }
                self.advance();
                Ok(inner)
            }
            Tok::Ident => match self.slice(&token) {
                "true" => {
                    self.advance();
                    Ok(Cond::Const(true))
                }
                "false" => {
                    self.advance();
                    Ok(Cond::Const(false))
                }
                _ => self.test(),
            },
            Tok::Num(_) | Tok::Arith(ArithOp::Sub) => self.test(),
            _ => Err(self.expected("a test (`name op value`), `(`, `not`, `true` or `false`")),
        }
    }

    /// Whether the `(` at the cursor opens an arithmetic expression: its `)` is followed
    /// by an arithmetic or comparison operator.
    fn opens_sum(&self) -> bool {
        let close = self.closes.get(self.pos).copied().unwrap_or(usize::MAX);
        close != usize::MAX
            && self
                .tokens
                .get(close + 1)
                .is_some_and(|t| matches!(t.tok, Tok::Arith(_) | Tok::Cmp(_)))
    }

    /// The end of the last token taken.
    fn prev_end(&self) -> usize {
        self.tokens[self.pos.saturating_sub(1)].end
    }

    fn test(&mut self) -> Result<Cond, ParseError> {
        let first = self.peek().clone();
        let column = to_u32(self.column_at(first.start));
        if first.tok == Tok::Ident {
            let next = self.peek_at(1);
            if next.tok == Tok::Ident && ["in", "not", "is"].contains(&self.slice(next)) {
                return self.name_test(column);
            }
            if let Tok::Cmp(op) = next.tok
                && !matches!(self.peek_at(3).tok, Tok::Arith(_))
            {
                let values = match &self.peek_at(2).tok {
                    Tok::Num(value) => Some(Values::Num(Box::new([*value]))),
                    Tok::Str(value) => Some(Values::Text(Box::new([value.clone()]))),
                    _ => None,
                };
                if let Some(values) = values {
                    return self.simple_test(op, values, column);
                }
            }
        }
        let left = self.sum(None)?;
        let left_text = &self.text[first.start..self.prev_end()];
        let op = match self.peek().tok {
            Tok::Cmp(op) => op,
            _ if matches!(left, Expr::Var(_)) => {
                return Err(self.expected(&format!(
                    "an operator after `{left_text}` (==, !=, <, <=, >, >=, in, not in, is missing, \
                     is not missing, +, -, *, /)"
                )));
            }
            _ => {
                return Err(self.expected(&format!(
                    "a comparison (==, !=, <, <=, >, >=) or an arithmetic operator (+, -, *, /) \
                     after `{left_text}`"
                )));
            }
        };
        self.advance();
        let text_literal = match &self.peek().tok {
            Tok::Str(value) => Some(value.clone()),
            _ => None,
        };
        if let Some(value) = text_literal {
            let Expr::Var(var) = left else {
                let token = self.peek().clone();
                return Err(self.error(
                    &token,
                    format!(
                        "a quoted text is compared with a name (`metal == \"gold\"`), not with \
                         `{left_text}`"
                    ),
                ));
            };
            self.advance();
            return Ok(Cond::Test(Test {
                subject: var.subject,
                op: Op::Cmp(op),
                values: Values::Text(Box::new([value])),
                rank: None,
                span: (to_u32(first.start), to_u32(self.prev_end())),
                column,
            }));
        }
        let right = self.sum(Some(op.symbol()))?;
        let span = (to_u32(first.start), to_u32(self.prev_end()));
        let test = |subject, op, value| {
            Cond::Test(Test {
                subject,
                op: Op::Cmp(op),
                values: Values::Num(Box::new([value])),
                rank: None,
                span,
                column,
            })
        };
        Ok(match (left, right) {
            (Expr::Var(var), Expr::Num(value)) => test(var.subject, op, value),
            (Expr::Num(value), Expr::Var(var)) => test(var.subject, op.flipped(), value),
            (Expr::Num(_), Expr::Num(_)) => {
                let source = &self.text[first.start..self.prev_end()];
                return Err(error_at(
                    self.text,
                    first.start,
                    format!(
                        "`{source}` compares decimals only, so it never depends on the \
                         customer: write `true` or `false`"
                    ),
                ));
            }
            (left, right) => Cond::Compare(Box::new(Compare {
                left,
                op,
                right,
                span,
                column,
            })),
        })
    }

    /// `name op decimal` or `name op "text"`, the commonest tests, without building the
    /// expressions the general path would reduce to the same test.
    /// `values` is the literal, looked at by the caller.
    fn simple_test(&mut self, op: CmpOp, values: Values, column: u32) -> Result<Cond, ParseError> {
        let ident = self.advance();
        let subject = self.subject(&ident, None)?;
        self.advance();
        self.advance();
        Ok(Cond::Test(Test {
            subject,
            op: Op::Cmp(op),
            values,
            rank: None,
            span: (to_u32(ident.start), to_u32(self.prev_end())),
            column,
        }))
    }

    /// `name in [..]`, `name not in [..]`, `name is missing`, `name is not missing`.
    fn name_test(&mut self, column: u32) -> Result<Cond, ParseError> {
        let ident = self.advance();
        let subject = self.subject(&ident, None)?;
        let next = self.peek().clone();
        let (op, values) = match self.slice(&next) {
            "in" => {
                self.advance();
                (Op::In, self.list()?)
            }
            "not" => {
                self.advance();
                if !self.is_keyword("in") {
                    let name = self.slice(&ident);
                    return Err(self.expected(&format!("`in` after `{name} not`")));
                }
                self.advance();
                (Op::NotIn, self.list()?)
            }
            _ => {
                self.advance();
                let op = if self.is_keyword("not") {
                    self.advance();
                    Op::IsNotMissing
                } else {
                    Op::IsMissing
                };
                if !self.is_keyword("missing") {
                    return Err(self.expected("`missing` after `is` or `is not`"));
                }
                self.advance();
                (op, Values::None)
            }
        };
        Ok(Cond::Test(Test {
            subject,
            op,
            values,
            rank: None,
            span: (to_u32(ident.start), to_u32(self.prev_end())),
            column,
        }))
    }

    /// What an identifier names: `tier`, a metric, or a slot of the names table. `after`
    /// is the operator before it, `None` at the start of a test.
    fn subject(&mut self, ident: &Token, after: Option<&str>) -> Result<Subject, ParseError> {
        // From the text, not through `self`, so that `self.names` can take it.
        let text = self.text;
        let name = &text[ident.start..ident.end];
        if KEYWORDS.contains(&name) {
            return Err(self.error(
                ident,
                match after {
                    None => {
                        format!("expected a test (`name op value`), found the keyword `{name}`")
                    }
                    Some(after) => format!("expected {}, found `{name}`", value_after(after)),
                },
            ));
        }
        let lower = name.to_ascii_lowercase();
        if lower != name && KEYWORDS.contains(&lower.as_str()) {
            return Err(self.error(
                ident,
                format!("keywords are lower case: write `{lower}`, not `{name}`"),
            ));
        }
        Ok(if name == "tier" {
            Subject::Tier
        } else if let Some(metric) = Metric::from_name(name) {
            Subject::Metric(metric)
        } else {
            let slot = self.names.intern(name).ok_or_else(|| {
                self.error(
                    ident,
                    format!("too many distinct names: at most {}", u16::MAX as usize + 1),
                )
            })?;
            Subject::Name(slot)
        })
    }

    /// `product (("+" | "-") product)*`; `after` as for [`atom`](Parser::atom).
    fn sum(&mut self, after: Option<&'static str>) -> Result<Expr, ParseError> {
        let start = self.peek().start;
        let first = self.product(after)?;
        self.chain(start, first, true)
    }

    /// `factor (("*" | "/") factor)*`.
    fn product(&mut self, after: Option<&'static str>) -> Result<Expr, ParseError> {
        let start = self.peek().start;
        let first = self.factor(after)?;
        self.chain(start, first, false)
    }

    /// The rest of a chain of one precedence level (`+ -` when `additive`, else `* /`)
    /// after its `first` operand, which starts at byte `start`. A chain of decimals alone
    /// is computed now: when that fails, or an operand is divided by the decimal zero, the
    /// chain can never have a value, which is an error.
    fn chain(&mut self, start: usize, first: Expr, additive: bool) -> Result<Expr, ParseError> {
        let mut rest = Vec::new();
        while let Tok::Arith(op) = self.peek().tok {
            if additive != matches!(op, ArithOp::Add | ArithOp::Sub) {
                break;
            }
            self.advance();
            let operand = if additive {
                self.product(Some(op.symbol()))?
            } else {
                self.factor(Some(op.symbol()))?
            };
            rest.push(Link {
                op,
                operand,
                end: to_u32(self.prev_end()),
            });
        }
        if rest.is_empty() {
            return Ok(first);
        }
        let failed = |link: &Link, error: ArithError| {
            let source = &self.text[start..link.end as usize];
            let what = match error {
                ArithError::DivisionByZero => "divides by zero",
                ArithError::Overflow => {
                    "overflows: the result is beyond ±79228162514264337593543950335"
                }
            };
            error_at(self.text, start, format!("`{source}` {what}"))
        };
        if let Expr::Num(mut acc) = first
            && rest.iter().all(|link| matches!(link.operand, Expr::Num(_)))
        {
            for link in &rest {
                if let Expr::Num(operand) = link.operand {
                    acc = link
                        .op
                        .apply(acc, operand)
                        .map_err(|error| failed(link, error))?;
                }
            }
            return Ok(Expr::Num(acc));
        }
        if let Some(link) = rest.iter().find(
            |link| matches!((link.op, &link.operand), (ArithOp::Div, Expr::Num(n)) if n.is_zero()),
        ) {
            return Err(failed(link, ArithError::DivisionByZero));
        }
        Ok(Expr::Chain(Box::new(Chain {
            first,
            rest: rest.into(),
            start: to_u32(start),
        })))
    }

    /// `"-" factor | atom`.
    fn factor(&mut self, after: Option<&'static str>) -> Result<Expr, ParseError> {
        if self.peek().tok != Tok::Arith(ArithOp::Sub) {
            return self.atom(after);
        }
        self.advance();
        self.nest()?;
        let inner = self.factor(Some("-"))?;
        self.depth -= 1;
        Ok(match inner {
            Expr::Num(n) => Expr::Num(-n),
            other => Expr::Neg(Box::new(other)),
        })
    }

    /// `DECIMAL | IDENT | "(" sum ")"`. `after` is the operator before it, for messages;
    /// `None` at the start of a test.
    fn atom(&mut self, after: Option<&'static str>) -> Result<Expr, ParseError> {
        let token = self.peek().clone();
        match token.tok {
            Tok::Num(n) => {
                self.advance();
                Ok(Expr::Num(n))
            }
            Tok::Ident => {
                self.advance();
                let subject = self.subject(&token, after)?;
                Ok(Expr::Var(Var {
                    subject,
                    span: (to_u32(token.start), to_u32(token.end)),
                    column: to_u32(self.column_at(token.start)),
                }))
            }
            Tok::LParen => {
                self.advance();
                self.nest()?;
                let inner = self.sum(Some("("))?;
                self.depth -= 1;
                if self.peek().tok != Tok::RParen {
                    return Err(self.expected("`)` or an arithmetic operator (+, -, *, /)"));
                }
                self.advance();
                Ok(inner)
            }
            Tok::Str(_) => Err(self.error(
                &token,
                format!(
                    "a quoted text cannot be used in arithmetic: expected {}",
                    value_after(after.unwrap_or("("))
                ),
            )),
            _ => Err(match after {
                Some(after) => self.expected(&value_after(after)),
                None => self.expected("a test (`name op value`), `(`, `not`, `true` or `false`"),
            }),
        }
    }

    fn literal(&mut self, after: &str) -> Result<Values, ParseError> {
        let token = self.peek().clone();
        match token.tok {
            Tok::Str(value) => {
                self.advance();
                Ok(Values::Text(Box::new([value])))
            }
            Tok::Num(value) => {
                self.advance();
                Ok(Values::Num(Box::new([value])))
            }
            Tok::Ident => Err(self.error(
                &token,
                format!(
                    "expected a value after `{after}` (a \"quoted\" text or a decimal), found `{}`: text values are quoted",
                    self.slice(&token)
                ),
            )),
            _ => Err(self.expected(&format!("a value after `{after}` (a \"quoted\" text or a decimal)"))),
        }
    }

    fn list(&mut self) -> Result<Values, ParseError> {
        if self.peek().tok != Tok::LBracket {
            return Err(self.expected("`[` opening a list"));
        }
        let open = self.advance();
        let mut texts = Vec::new();
        let mut numbers = Vec::new();
        loop {
            if self.peek().tok == Tok::RBracket {
                break;
            }
            let token = self.peek().clone();
            match self.literal("[")? {
                Values::Text(v) if numbers.is_empty() => texts.extend(v.into_vec()),
                Values::Num(v) if texts.is_empty() => numbers.extend(v.into_vec()),
                _ => {
                    return Err(self.error(
                        &token,
                        "a list holds only texts or only decimals, not both".into(),
                    ));
                }
            }
            match self.peek().tok {
                Tok::Comma => {
                    self.advance();
                }
                Tok::RBracket => break,
                _ => return Err(self.expected("`,` or `]` in a list")),
            }
        }
        self.advance();
        if texts.is_empty() && numbers.is_empty() {
            return Err(self.error(&open, "empty list: it can never match".into()));
        }
        Ok(if texts.is_empty() {
            Values::Num(numbers.into())
        } else {
            Values::Text(texts.into())
        })
    }
}

/// What may follow an operator, for a message: `a value after `>` (…)`.
fn value_after(after: &str) -> String {
    let texts = ["==", "!=", "<", "<=", ">", ">="].contains(&after);
    format!(
        "a value after `{after}` ({}a decimal, a name or `(`)",
        if texts { "a \"quoted\" text, " } else { "" }
    )
}

/// For each token, the index of the `)` that closes it when it is a `(`.
fn closing_parens(tokens: &[Token]) -> Vec<usize> {
    let mut closes = vec![usize::MAX; tokens.len()];
    let mut open = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token.tok {
            Tok::LParen => open.push(i),
            Tok::RParen => {
                if let Some(start) = open.pop() {
                    closes[start] = i;
                }
            }
            _ => {}
        }
    }
    closes
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Appends `item` to a chain, splicing in a nested chain of the same kind.
fn push_flat(items: &mut Vec<Cond>, item: Cond, or: bool) {
    match item {
        Cond::Or(inner) if or => items.extend(inner.into_vec()),
        Cond::And(inner) if !or => items.extend(inner.into_vec()),
        other => items.push(other),
    }
}

/// Parses a condition. Names that are neither `tier` nor a metric are interned in `names`
/// (the rule set's table, shared by all its rules).
pub(crate) fn parse(text: &str, names: &mut Names) -> Result<Cond, ParseError> {
    let tokens = tokenize(text)?;
    if tokens.len() == 1 {
        return Err(error_at(
            text,
            0,
            "empty condition (leave `when` out for a rule that always applies)".into(),
        ));
    }
    let closes = closing_parens(&tokens);
    let mut parser = Parser {
        text,
        tokens,
        pos: 0,
        depth: 0,
        names,
        cursor: (0, 1),
        closes,
    };
    let cond = parser.or()?;
    if parser.peek().tok != Tok::End {
        return Err(parser.expected("`and`, `or` or the end of the condition"));
    }
    Ok(cond)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn ok(text: &str) -> Cond {
        parse(text, &mut Names::default()).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    fn err(text: &str) -> (usize, String) {
        match parse(text, &mut Names::default()) {
            Err(e) => (e.column, e.message),
            Ok(cond) => panic!("{text} parsed: {cond:?}"),
        }
    }

    fn test_of(cond: &Cond) -> &Test {
        match cond {
            Cond::Test(t) => t,
            other => panic!("not a test: {other:?}"),
        }
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let cond = ok("a == 1 or not b == 2 and c == 3");
        let Cond::Or(items) = &cond else {
            panic!("{cond:?}")
        };
        assert_eq!(items.len(), 2);
        let Cond::And(conj) = &items[1] else {
            panic!("{cond:?}")
        };
        assert!(matches!(conj[0], Cond::Not(_)));
        assert!(matches!(conj[1], Cond::Test(_)));
    }

    #[test]
    fn chains_are_flattened_through_parentheses() {
        let Cond::And(items) = ok("a == 1 and (b == 2 and c == 3)") else {
            panic!()
        };
        assert_eq!(items.len(), 3);
        let Cond::Or(items) = ok("(a == 1 or b == 2) or c == 3") else {
            panic!()
        };
        assert_eq!(items.len(), 3);
        assert_eq!(ok("((true))"), Cond::Const(true));
    }

    #[test]
    fn tests_and_literals() {
        let mut names = Names::default();
        let cond = parse(
            r#"metal in ["platinum", "gold",] and monetary >= 1234.5678901234567890123456 and tier != "a\"b\\" and x is not missing and lifecycle not in ["lost"]"#,
            &mut names,
        )
        .unwrap();
        let Cond::And(items) = cond else { panic!() };
        let tests: Vec<&Test> = items.iter().map(test_of).collect();
        assert_eq!(tests[0].subject, Subject::Name(0));
        assert_eq!(tests[0].op, Op::In);
        assert_eq!(
            tests[0].values,
            Values::Text(Box::new(["platinum".into(), "gold".into()]))
        );
        assert_eq!(tests[1].subject, Subject::Metric(Metric::Monetary));
        let Values::Num(n) = &tests[1].values else {
            panic!()
        };
        assert_eq!(n[0].to_string(), "1234.5678901234567890123456");
        assert_eq!(tests[2].subject, Subject::Tier);
        assert_eq!(tests[2].values, Values::Text(Box::new([r#"a"b\"#.into()])));
        assert_eq!(
            (tests[3].op, &tests[3].values),
            (Op::IsNotMissing, &Values::None)
        );
        assert_eq!(tests[4].op, Op::NotIn);
        assert_eq!(names.into_list(), ["metal", "x", "lifecycle"]);
        assert_eq!(tests[0].column, 1);
        let c = ok("  r >= -2.50");
        let t = test_of(&c);
        assert_eq!((t.column, t.span), (3, (2, 12)));
        assert_eq!(t.values, Values::Num(Box::new([dec!(-2.50)])));
    }

    #[test]
    fn errors_name_the_column() {
        let cases = [
            ("", 1, "empty condition"),
            ("   ", 1, "empty condition"),
            ("monetary > ", 12, "expected a value after `>`"),
            ("monetary > and x == 1", 12, "found `and`"),
            ("monetary = 5", 10, "write `==`"),
            ("monetary ! 5", 10, "write `!=` or `not`"),
            ("metal == 'gold'", 10, "double quotes"),
            (r#"metal == "gold"#, 10, "unterminated string"),
            (r#"metal == "go\ld""#, 13, "unknown escape"),
            ("monetary > 1e3", 12, "`1e3` is not a decimal"),
            ("monetary > 1,000", 13, "expected `and`, `or` or the end"),
            ("monetary > +5", 12, "expected a value after `>`"),
            ("monetary > .5", 12, "digit before its point"),
            ("monetary > 5.", 12, "`5.` is not a decimal"),
            (
                "monetary > 12345678901234567890123456789",
                12,
                "more than 28 significant digits",
            ),
            ("(monetary > 5", 14, "expected `)`"),
            ("monetary > 5)", 13, "expected `and`, `or` or the end"),
            ("monetary 5", 10, "expected an operator after `monetary`"),
            ("metal in []", 10, "empty list"),
            ("metal in [\"a\", 1]", 16, "only texts or only decimals"),
            ("metal in \"a\"", 10, "expected `[`"),
            ("metal in [\"a\" \"b\"]", 15, "expected `,` or `]`"),
            ("metal not \"a\"", 11, "expected `in` after `metal not`"),
            ("x is nothing", 6, "expected `missing`"),
            ("a == 1 AND b == 2", 8, "expected `and`, `or` or the end"),
            ("AND == 1", 1, "keywords are lower case"),
            ("and == 1", 1, "the keyword `and`"),
            ("é == 1", 1, "unexpected character `é`"),
            ("x == \"é\" and", 13, "found the end of the condition"),
            ("== 1", 1, "expected a test"),
            ("not", 4, "found the end of the condition"),
        ];
        for (text, column, needle) in cases {
            let (got_column, message) = err(text);
            assert!(message.contains(needle), "{text:?}: {message}");
            assert_eq!(got_column, column, "{text:?}: {message}");
        }
    }

    #[test]
    fn columns_count_characters_from_test_to_test() {
        let Cond::And(items) = ok(r#"x == "éé" and metal == "重點" and  r > 1"#) else {
            panic!()
        };
        let columns: Vec<u32> = items.iter().map(|c| test_of(c).column).collect();
        assert_eq!(columns, [1, 15, 34]);
        // An error after the tests still counts from the start.
        assert_eq!(
            err(r#"x == "é" and y == "é" and ?"#),
            (27, "unexpected character `?`".into())
        );
    }

    #[test]
    fn names_share_slots_up_to_the_limit() {
        let mut names = Names::default();
        let Cond::Or(items) = parse("a > 1 or b > 1 or a < 0", &mut names).unwrap() else {
            panic!()
        };
        let slots: Vec<Subject> = items.iter().map(|c| test_of(c).subject).collect();
        assert_eq!(
            slots,
            [Subject::Name(0), Subject::Name(1), Subject::Name(0)]
        );
        // Every u16 slot can be used, and one name more is an error at its column.
        let all: Vec<String> = (0..=usize::from(u16::MAX))
            .map(|i| format!("n{i} > 1"))
            .collect();
        let mut names = Names::default();
        parse(&all.join(" or "), &mut names).unwrap();
        assert_eq!(names.since(0).len(), 65_536);
        let e = parse("n0 > 1 or one_more > 1", &mut names).unwrap_err();
        assert_eq!(
            (e.column, e.message.as_str()),
            (11, "too many distinct names: at most 65536")
        );
    }

    /// An expression in prefix form, for comparing shapes: `(- a (* b c))`; a
    /// comparison is `(> left right)`.
    fn shape(cond: &Cond, names: &Names) -> String {
        fn expr(e: &Expr, names: &Names) -> String {
            match e {
                Expr::Num(n) => n.to_string(),
                Expr::Var(v) => subject(v.subject, names),
                Expr::Neg(inner) => format!("(neg {})", expr(inner, names)),
                Expr::Chain(chain) => {
                    let mut out = expr(&chain.first, names);
                    for link in chain.rest.iter() {
                        out = format!(
                            "({} {out} {})",
                            link.op.symbol(),
                            expr(&link.operand, names)
                        );
                    }
                    out
                }
            }
        }
        fn subject(s: Subject, names: &Names) -> String {
            match s {
                Subject::Metric(m) => m.name().to_string(),
                Subject::Tier => "tier".into(),
                Subject::Name(slot) => names.get(slot).unwrap().to_string(),
            }
        }
        match cond {
            Cond::Compare(c) => format!(
                "({} {} {})",
                c.op.symbol(),
                expr(&c.left, names),
                expr(&c.right, names)
            ),
            Cond::Test(t) => match &t.values {
                Values::Num(n) if n.len() == 1 => {
                    let Op::Cmp(op) = t.op else { panic!("{t:?}") };
                    format!(
                        "(test {} {} {})",
                        op.symbol(),
                        subject(t.subject, names),
                        n[0]
                    )
                }
                other => format!("(test {:?} {} {other:?})", t.op, subject(t.subject, names)),
            },
            other => format!("{other:?}"),
        }
    }

    fn shape_of(text: &str) -> String {
        let mut names = Names::default();
        let cond = parse(text, &mut names).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        shape(&cond, &names)
    }

    #[test]
    fn arithmetic_precedence_associativity_unary_minus_and_parentheses() {
        let cases = [
            // * and / bind tighter than + and -.
            ("a + b * c > 0", "(> (+ a (* b c)) 0)"),
            ("a * b + c > 0", "(> (+ (* a b) c) 0)"),
            ("a - b / c > 0", "(> (- a (/ b c)) 0)"),
            // Left associative, on both levels.
            ("a - b - c > 0", "(> (- (- a b) c) 0)"),
            ("a - b + c > 0", "(> (+ (- a b) c) 0)"),
            ("a / b * c > 0", "(> (* (/ a b) c) 0)"),
            ("a / b / c > 0", "(> (/ (/ a b) c) 0)"),
            // Parentheses.
            ("a - (b - c) > 0", "(> (- a (- b c)) 0)"),
            ("a / (b * c) > 0", "(> (/ a (* b c)) 0)"),
            ("(a + b) * c > 0", "(> (* (+ a b) c) 0)"),
            ("((a + b)) * ((c)) > 0", "(> (* (+ a b) c) 0)"),
            // Unary minus binds tightest, and may repeat.
            ("-a * b > 0", "(> (* (neg a) b) 0)"),
            ("a * -b > 0", "(> (* a (neg b)) 0)"),
            ("a - -b > 0", "(> (- a (neg b)) 0)"),
            ("- -a > 0", "(> (neg (neg a)) 0)"),
            ("-(a + b) > 0", "(> (neg (+ a b)) 0)"),
            // A `-` after a value subtracts; elsewhere, before a digit, it is the sign.
            ("a -5 > 0", "(> (- a 5) 0)"),
            ("a-5 > -5", "(> (- a 5) -5)"),
            ("(a)-5 > 0", "(> (- a 5) 0)"),
            ("a * -5 > 0", "(> (* a -5) 0)"),
            // Two sides, names on both.
            (
                "recency_days > 2 * tenure_days",
                "(> recency_days (* 2 tenure_days))",
            ),
            ("profit / monetary < 0.1", "(< (/ profit monetary) 0.1)"),
            (
                "monetary_current - monetary_previous >= 500",
                "(>= (- monetary_current monetary_previous) 500)",
            ),
            (
                "(monetary + 100) * 2 > monetary_previous",
                "(> (* (+ monetary 100) 2) monetary_previous)",
            ),
            ("a == b", "(== a b)"),
            // Decimals alone are computed on load, left to right.
            ("a + 2 * 3 > 0", "(> (+ a 6) 0)"),
            ("a > 10 - 4 - 3", "(test > a 3)"),
            ("a > 1 / 8", "(test > a 0.125)"),
            ("a > -(2 - 5)", "(test > a 3)"),
            ("a > - 5", "(test > a -5)"),
            // The simple forms stay tests: one name against a decimal, either way round.
            ("monetary >= 1000", "(test >= monetary 1000)"),
            ("500 < monetary", "(test > monetary 500)"),
            ("-2.50 >= r", "(test <= r -2.50)"),
            ("1000 == monetary", "(test == monetary 1000)"),
            ("(monetary) >= (1000)", "(test >= monetary 1000)"),
            ("monetary >= -2.50", "(test >= monetary -2.50)"),
        ];
        for (text, want) in cases {
            assert_eq!(shape_of(text), want, "{text}");
        }
        // A text literal after a name is a test, as before.
        let c = ok(r#"metal == "gold""#);
        let t = test_of(&c);
        assert_eq!(
            (t.op, &t.values),
            (Op::Cmp(CmpOp::Eq), &Values::Text(Box::new(["gold".into()])))
        );
    }

    #[test]
    fn a_parenthesis_opens_a_sum_or_a_group_by_what_follows_it() {
        let Cond::And(items) = ok("(monetary > 1 or x == 2) and (a + b) / 2 > c") else {
            panic!()
        };
        assert!(matches!(items[0], Cond::Or(_)));
        assert!(matches!(items[1], Cond::Compare(_)));
        assert!(matches!(ok("((a + b > c))"), Cond::Compare(_)));
        assert!(matches!(ok("(a) > 1"), Cond::Test(_)));
        assert!(matches!(ok("not (a - 1 > 0)"), Cond::Not(_)));
    }

    #[test]
    fn compared_names_have_their_columns_and_spans() {
        let mut names = Names::default();
        let cond = parse("x == \"é\" or  recency_days > 2 * tenure_days", &mut names).unwrap();
        let Cond::Or(items) = cond else { panic!() };
        let Cond::Compare(c) = &items[1] else {
            panic!()
        };
        assert_eq!((c.column, c.span), (14, (14, 44)));
        let mut vars = Vec::new();
        c.for_each_var(&mut |v| vars.push((v.column, v.span)));
        assert_eq!(vars, [(14, (14, 26)), (33, (33, 44))]);
    }

    #[test]
    fn arithmetic_errors_name_the_column() {
        let nines = "9999999999999999999999999999"; // 28 digits, the most a literal has
        let cases = [
            (
                "monetary + > 5".to_string(),
                12,
                "expected a value after `+` (a decimal, a name or `(`), found `>`",
            ),
            (
                "monetary * / 2 > 1".into(),
                12,
                "expected a value after `*`",
            ),
            ("monetary > 5 + and".into(), 16, "found `and`"),
            (
                "monetary > 5 -".into(),
                15,
                "found the end of the condition",
            ),
            (
                "monetary + \"x\" > 5".into(),
                12,
                "a quoted text cannot be used in arithmetic",
            ),
            (
                "monetary - 1 == \"x\"".into(),
                17,
                "a quoted text is compared with a name (`metal == \"gold\"`), not with `monetary - 1`",
            ),
            (
                "(monetary + 1 > 5".into(),
                18,
                "expected `)`, `and` or `or`",
            ),
            (
                "(monetary + 1) * > 5".into(),
                18,
                "expected a value after `*`",
            ),
            (
                "(monetary + 1 * 2) 5".into(),
                18,
                "expected a comparison (==, !=, <, <=, >, >=) or an arithmetic operator (+, -, *, /) after `monetary + 1 * 2`",
            ),
            (
                "monetary + 1 in [1]".into(),
                14,
                "after `monetary + 1`, found `in`",
            ),
            ("a < b < c".into(), 7, "expected `and`, `or` or the end"),
            (
                "a > (b + 1".into(),
                11,
                "expected `)` or an arithmetic operator",
            ),
            ("1 / 0 < monetary".into(), 1, "`1 / 0` divides by zero"),
            (
                "x > monetary / (2 - 2)".into(),
                5,
                "`monetary / (2 - 2)` divides by zero",
            ),
            (
                "x > 3 * monetary / 0".into(),
                5,
                "`3 * monetary / 0` divides by zero",
            ),
            (
                format!("x < {nines} * 10"),
                5,
                "`9999999999999999999999999999 * 10` overflows: the result is beyond ±79228162514264337593543950335",
            ),
            (format!("x < -{nines} * 8 + x"), 5, "overflows"),
            (
                "1 < 2".into(),
                1,
                "`1 < 2` compares decimals only, so it never depends on the customer: write `true` or `false`",
            ),
            ("2 * 3 == 6".into(), 1, "compares decimals only"),
            ("and + 1 > 2".into(), 1, "found the keyword `and`"),
            ("x > OR + 1".into(), 5, "keywords are lower case"),
            ("+ x > 1".into(), 1, "expected a test"),
        ];
        for (text, column, needle) in cases {
            let (got_column, message) = err(&text);
            assert!(message.contains(needle), "{text:?}: {message}");
            assert_eq!(got_column, column, "{text:?}: {message}");
        }
    }

    #[test]
    fn long_and_deep_expressions_neither_overflow_the_stack_nor_nest_without_limit() {
        // A long chain is flat: it loads, compares and drops without recursion per term.
        let long = format!("{} > 0", vec!["monetary"; 200_000].join(" + "));
        let Cond::Compare(c) = ok(&long) else {
            panic!()
        };
        let Expr::Chain(chain) = &c.left else {
            panic!()
        };
        assert_eq!(chain.rest.len(), 199_999);
        assert_eq!(ok(&long), Cond::Compare(c));
        let minus = format!("{}monetary > 1", "- ".repeat(100_000));
        assert!(err(&minus).1.contains("nest deeper"));
        let parens = format!("{}monetary{} > 1", "(".repeat(100_000), ")".repeat(100_000));
        assert!(err(&parens).1.contains("nest deeper"));
        let fine = format!("{}monetary{} > 1", "(-".repeat(30), ")".repeat(30));
        assert!(matches!(ok(&fine), Cond::Compare(_)));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}true{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(err(&deep).1.contains("nest deeper"));
        let nots = format!("{}true", "not ".repeat(100_000));
        assert!(err(&nots).1.contains("nest deeper"));
        let fine = format!("{}true{}", "(".repeat(60), ")".repeat(60));
        assert_eq!(ok(&fine), Cond::Const(true));
    }

    proptest::proptest! {
        /// A panic is a bug whatever the input: any text parses or is an error whose
        /// column lies inside it (or just past its end).
        #[test]
        fn any_text_parses_or_fails_at_a_column(text in "\\PC{0,40}") {
            if let Err(e) = parse(&text, &mut Names::default()) {
                proptest::prop_assert!(e.column >= 1 && e.column <= text.chars().count() + 1);
            }
        }

        #[test]
        fn any_token_soup_parses_or_fails_at_a_column(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "monetary", "tier", "and", "or", "not", "in", "is", "missing", "true",
                    "false", "(", ")", "[", "]", ",", "==", "!=", "<", "<=", ">", ">=", "1",
                    "-2.5", "\"x\"", "\"\\\"\"", "1e3", "=", "!", "+", "-", "*", "/", "-1",
                    "0", "tenure_days",
                ]),
                0..16,
            ),
        ) {
            let text = words.join(" ");
            if let Err(e) = parse(&text, &mut Names::default()) {
                proptest::prop_assert!(e.column >= 1 && e.column <= text.chars().count() + 1);
            }
        }
    }
}
