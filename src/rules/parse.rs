//! The condition language: a tokenizer and a recursive-descent parser that report the
//! 1-based character column of every error.
//!
//! ```text
//! condition  := or
//! or         := and ("or" and)*
//! and        := unary ("and" unary)*
//! unary      := "not" unary | primary
//! primary    := "(" or ")" | "true" | "false" | test
//! test       := IDENT ("==" | "!=" | "<" | "<=" | ">" | ">=") literal
//!             | IDENT "in" list | IDENT "not" "in" list
//!             | IDENT "is" "missing" | IDENT "is" "not" "missing"
//! list       := "[" literal ("," literal)* ","? "]"
//! literal    := STRING | DECIMAL
//! ```

use rust_decimal::Decimal;
use smol_str::SmolStr;

use super::condition::{CmpOp, Cond, Op, Subject, Test, Values};
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

fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let mut tokens = Vec::new();
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
                || (c == '-' && text[start + 1..].starts_with(|d: char| d.is_ascii_digit())) =>
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
    /// A byte offset and its 1-based character column: tests come left to right, so
    /// each test's column is counted on from the previous one's, not from the start.
    cursor: (usize, usize),
}

impl Parser<'_, '_> {
    fn peek(&self) -> &Token {
        // The last token is always `End`, and `pos` never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
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
            _ => Err(self.expected("a test (`name op value`), `(`, `not`, `true` or `false`")),
        }
    }

    fn test(&mut self) -> Result<Cond, ParseError> {
        let ident = self.advance();
        let name = self.slice(&ident).to_string();
        if KEYWORDS.contains(&name.as_str()) {
            return Err(self.error(
                &ident,
                format!("expected a test (`name op value`), found the keyword `{name}`"),
            ));
        }
        let lower = name.to_ascii_lowercase();
        if lower != name && KEYWORDS.contains(&lower.as_str()) {
            return Err(self.error(
                &ident,
                format!("keywords are lower case: write `{lower}`, not `{name}`"),
            ));
        }
        let subject = if name == "tier" {
            Subject::Tier
        } else if let Some(metric) = Metric::from_name(&name) {
            Subject::Metric(metric)
        } else {
            let slot = self.names.intern(&name).ok_or_else(|| {
                self.error(
                    &ident,
                    format!("too many distinct names: at most {}", u16::MAX as usize + 1),
                )
            })?;
            Subject::Name(slot)
        };
        let next = self.peek().clone();
        let (op, values) = match next.tok {
            Tok::Cmp(op) => {
                self.advance();
                let value = self.literal(op.symbol())?;
                (Op::Cmp(op), value)
            }
            Tok::Ident if self.slice(&next) == "in" => {
                self.advance();
                (Op::In, self.list()?)
            }
            Tok::Ident if self.slice(&next) == "not" => {
                self.advance();
                if !self.is_keyword("in") {
                    return Err(self.expected(&format!("`in` after `{name} not`")));
                }
                self.advance();
                (Op::NotIn, self.list()?)
            }
            Tok::Ident if self.slice(&next) == "is" => {
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
            _ => {
                return Err(self.expected(&format!(
                    "an operator after `{name}` (==, !=, <, <=, >, >=, in, not in, is missing, is not missing)"
                )));
            }
        };
        let end = self.tokens[self.pos.saturating_sub(1)].end;
        let span = (to_u32(ident.start), to_u32(end));
        Ok(Cond::Test(Test {
            subject,
            op,
            values,
            rank: None,
            span,
            column: to_u32(self.column_at(ident.start)),
        }))
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
    let mut parser = Parser {
        text,
        tokens,
        pos: 0,
        depth: 0,
        names,
        cursor: (0, 1),
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
            ("metal == gold", 10, "text values are quoted"),
            ("metal == 'gold'", 10, "double quotes"),
            (r#"metal == "gold"#, 10, "unterminated string"),
            (r#"metal == "go\ld""#, 13, "unknown escape"),
            ("monetary > 1e3", 12, "`1e3` is not a decimal"),
            ("monetary > 1,000", 13, "expected `and`, `or` or the end"),
            ("monetary > +5", 12, "unexpected character `+`"),
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
                    "-2.5", "\"x\"", "\"\\\"\"", "1e3", "=", "!",
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
