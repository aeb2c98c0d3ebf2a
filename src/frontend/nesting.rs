//! Refusing a file nested deeper than CPython accepts, so that no parse, walk or drop of
//! its syntax tree can overflow the stack (which would abort the whole run and lose the
//! report on every other file). A file of [`SCAN_BEFORE_PARSE_BYTES`] or more is scanned
//! here before the parser sees it; a smaller one is checked on the parser's tokens
//! (`frontend::python::tokens_too_deep`), by the same rules.
//!
//! CPython's tokenizer refuses more than 200 nested brackets ("too many nested
//! parentheses") and 100 levels of indentation ("too many levels of indentation"); its
//! compiler stops at about 3,000 nested expressions ("maximum recursion depth exceeded
//! during compilation"). The first two are checked exactly. The third is bounded from
//! above by a cheap scan (every operator of a chain counts as one level, as a left-deep
//! `1 + 1 + ...` is), and only refused far above CPython's limit: a file CPython compiles
//! is never refused.

/// CPython's `MAXLEVEL`: brackets nested deeper are a syntax error.
pub const MAX_BRACKETS: usize = 200;
/// CPython's `MAXINDENT`: the tokenizer refuses the 100th level of indentation.
pub const MAX_INDENT_LEVELS: usize = 99;
/// The expression depth refused: over three times the depth at which CPython's compiler
/// gives up, far below what overflows importgate's stack.
pub const MAX_EXPRESSION_DEPTH: usize = 10_000;

/// Files this big or bigger are scanned before they are parsed. A smaller file cannot nest
/// deeper than its length, and that is safe to parse (ruff's parser grows its own stack)
/// and to walk (the expression walk stops at 4,000 levels); so most files (88% of the
/// benchmark corpus's bytes) are held to CPython's limits on the parser's tokens instead, at
/// little cost. Measured: every worst case under this size (130,000 brackets or unary
/// operators, 65,000 attributes or calls, with and without the expression walk) passes with
/// a 16 MiB stack in a debug build.
pub const SCAN_BEFORE_PARSE_BYTES: usize = 128 << 10;

/// The stack of every thread that parses (the rayon workers and the main work thread): every
/// file the limits above let through needs under 16 MiB of it in a debug build. Only the
/// pages touched are ever committed.
pub const PARSE_STACK_BYTES: usize = 256 << 20;

/// Why a file is too deep to parse, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// CPython's message.
    pub message: String,
    /// Byte offset of the token that went too deep.
    pub offset: usize,
}

/// The first reason `source` is nested too deep, if any.
pub fn too_deep(source: &str) -> Option<TooDeep> {
    Scanner::new(source.as_bytes()).run()
}

struct Scanner<'s> {
    bytes: &'s [u8],
    at: usize,
    /// Open brackets.
    brackets: usize,
    /// Chain operators seen at each open bracket level (index 0: outside brackets) since
    /// the last separator.
    chains: Vec<usize>,
    /// Their sum.
    chain_total: usize,
    /// Widths of the open indentation levels.
    indents: Vec<usize>,
    /// An f-string's replacement field nested too deep.
    field_too_deep: bool,
    /// Whether the last token was an operand (so that a bracket after it is a call or a
    /// subscript, one more level of a chain).
    after_operand: bool,
}

impl<'s> Scanner<'s> {
    fn new(bytes: &'s [u8]) -> Self {
        Self {
            bytes,
            at: 0,
            brackets: 0,
            chains: vec![0],
            chain_total: 0,
            indents: Vec::new(),
            after_operand: false,
            field_too_deep: false,
        }
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.at + ahead).copied().unwrap_or(0)
    }

    fn run(mut self) -> Option<TooDeep> {
        let mut line_start = true;
        while self.at < self.bytes.len() {
            if line_start {
                line_start = false;
                if let Some(problem) = self.indentation() {
                    return Some(problem);
                }
                continue;
            }
            let byte = self.bytes[self.at];
            // Most bytes are blanks and names: no dispatch for them.
            let class = CLASS[byte as usize];
            if class == BLANK {
                self.at += 1;
                continue;
            }
            if class == IDENT {
                self.word();
                if self.field_too_deep {
                    return Some(self.problem("too many nested parentheses"));
                }
                if self.brackets + self.chain_total > MAX_EXPRESSION_DEPTH {
                    return Some(self.too_complex());
                }
                continue;
            }
            match byte {
                b'#' => self.skip_to_line_end(),
                b'\\' if matches!(self.peek(1), b'\n' | b'\r') => {
                    self.at += 1;
                    self.skip_newline();
                }
                b'\n' | b'\r' => {
                    self.skip_newline();
                    if self.brackets == 0 {
                        self.end_of_statement();
                        line_start = true;
                    }
                }
                b'(' | b'[' | b'{' => {
                    if self.after_operand {
                        self.chain_step();
                    }
                    self.brackets += 1;
                    if self.brackets > MAX_BRACKETS {
                        return Some(self.problem("too many nested parentheses"));
                    }
                    self.chains.push(0);
                    self.after_operand = false;
                    self.at += 1;
                }
                b')' | b']' | b'}' => {
                    if self.brackets > 0 {
                        self.brackets -= 1;
                        self.chain_total -= self.chains.pop().unwrap_or(0);
                    }
                    self.after_operand = true;
                    self.at += 1;
                }
                b',' | b';' => {
                    self.reset_chain();
                    if byte == b';' && self.brackets == 0 {
                        self.end_of_statement();
                    }
                    self.at += 1;
                }
                b'=' if self.peek(1) != b'=' => {
                    self.reset_chain();
                    self.at += 1;
                }
                b'0'..=b'9' => self.number(),
                b'.' if self.peek(1).is_ascii_digit() => self.number(),
                b'"' | b'\'' => {
                    self.string(false);
                }
                b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' | b'<'
                | b'>' | b'.' | b'!' | b'=' | b':' => {
                    // `:` counts only as part of `:=`; a lone `:` ends nothing either.
                    if byte != b':' || self.peek(1) == b'=' {
                        self.chain_step();
                    }
                    self.after_operand = false;
                    self.at += 1;
                }
                _ => self.at += 1,
            }
            if self.field_too_deep {
                return Some(self.problem("too many nested parentheses"));
            }
            if self.brackets + self.chain_total > MAX_EXPRESSION_DEPTH {
                return Some(self.too_complex());
            }
        }
        None
    }

    fn too_complex(&self) -> TooDeep {
        self.problem(
            "too complex: expressions nested over 10,000 deep (CPython gives up at about \
             3,000: maximum recursion depth exceeded during compilation)",
        )
    }

    fn problem(&self, message: &str) -> TooDeep {
        TooDeep {
            message: message.to_string(),
            offset: self.at.min(self.bytes.len()),
        }
    }

    fn chain_step(&mut self) {
        if let Some(last) = self.chains.last_mut() {
            *last += 1;
            self.chain_total += 1;
        }
    }

    fn reset_chain(&mut self) {
        if let Some(last) = self.chains.last_mut() {
            self.chain_total -= *last;
            *last = 0;
        }
        self.after_operand = false;
    }

    fn end_of_statement(&mut self) {
        self.chains.clear();
        self.chains.push(0);
        self.chain_total = 0;
        self.brackets = 0;
        self.after_operand = false;
    }

    fn skip_newline(&mut self) {
        if self.peek(0) == b'\r' && self.peek(1) == b'\n' {
            self.at += 2;
        } else {
            self.at += 1;
        }
    }

    fn skip_to_line_end(&mut self) {
        self.at = memchr::memchr2(b'\n', b'\r', &self.bytes[self.at..])
            .map_or(self.bytes.len(), |found| self.at + found);
    }

    /// At the start of a logical line: measures its indentation as CPython's tokenizer does
    /// (a tab to the next multiple of 8) unless the line is blank or only a comment.
    fn indentation(&mut self) -> Option<TooDeep> {
        let mut width = 0;
        while self.at < self.bytes.len() {
            match self.bytes[self.at] {
                b' ' => width += 1,
                b'\t' => width = (width / 8 + 1) * 8,
                b'\x0c' => width = 0,
                _ => break,
            }
            self.at += 1;
        }
        if matches!(self.peek(0), b'#' | b'\n' | b'\r' | 0) {
            return None;
        }
        while self.indents.last().is_some_and(|&open| open > width) {
            self.indents.pop();
        }
        if width > self.indents.last().copied().unwrap_or(0) {
            if self.indents.len() >= MAX_INDENT_LEVELS {
                return Some(self.problem("too many levels of indentation"));
            }
            self.indents.push(width);
        }
        None
    }

    fn number(&mut self) {
        let start = self.at;
        while self.at < self.bytes.len() {
            let byte = self.bytes[self.at];
            let sign_of_exponent = matches!(byte, b'+' | b'-')
                && matches!(self.bytes[self.at - 1], b'e' | b'E')
                && !self.bytes[start..].starts_with(b"0x")
                && !self.bytes[start..].starts_with(b"0X");
            if CLASS[byte as usize] & (IDENT | DIGIT) != 0 || byte == b'.' || sign_of_exponent {
                self.at += 1;
            } else {
                break;
            }
        }
        self.after_operand = true;
    }

    fn word(&mut self) {
        let start = self.at;
        self.at += 1;
        while self.at < self.bytes.len()
            && CLASS[self.bytes[self.at] as usize] & (IDENT | DIGIT) != 0
        {
            self.at += 1;
        }
        let word = &self.bytes[start..self.at];
        if word.len() <= 2 && matches!(self.peek(0), b'"' | b'\'') && is_string_prefix(word) {
            let formatted = word.iter().any(|c| matches!(c, b'f' | b'F' | b't' | b'T'));
            self.field_too_deep |= self.string(formatted);
            return;
        }
        let keyword = (2..=6).contains(&word.len())
            && matches!(
                word,
                b"not"
                    | b"lambda"
                    | b"await"
                    | b"if"
                    | b"else"
                    | b"and"
                    | b"or"
                    | b"in"
                    | b"is"
                    | b"yield"
            );
        if keyword {
            self.chain_step();
            self.after_operand = false;
        } else {
            self.after_operand = true;
        }
    }

    /// A string literal from its opening quote. An f-string's replacement field is
    /// compiled as a parenthesized expression of its own (CPython 3.11; 3.12 tokenizes it
    /// inline and counts the brackets around it too, refusing more), so its brackets count
    /// from one, not from the depth of the literal. Returns whether a field went too deep.
    fn string(&mut self, formatted: bool) -> bool {
        let quote = self.bytes[self.at];
        let triple = self.peek(1) == quote && self.peek(2) == quote;
        self.at += if triple { 3 } else { 1 };
        self.after_operand = true;
        let mut field_depth = 0usize;
        while self.at < self.bytes.len() {
            if !formatted {
                // Most of a file's bytes are in strings: jump to the next byte that matters.
                let rest = &self.bytes[self.at..];
                let next = if triple {
                    memchr::memchr2(quote, b'\\', rest)
                } else {
                    // A lone CR ends a line too (only up to the first other stop is looked at).
                    let stop = memchr::memchr3(quote, b'\\', b'\n', rest);
                    let window = &rest[..stop.unwrap_or(rest.len())];
                    memchr::memchr(b'\r', window).or(stop)
                };
                match next {
                    Some(found) => self.at += found,
                    None => {
                        self.at = self.bytes.len();
                        break;
                    }
                }
            }
            let byte = self.bytes[self.at];
            if byte == b'\\' {
                self.at += 2;
                continue;
            }
            if byte == quote {
                if !triple {
                    self.at += 1;
                    break;
                }
                if self.peek(1) == quote && self.peek(2) == quote {
                    self.at += 3;
                    break;
                }
            }
            if !triple && matches!(byte, b'\n' | b'\r') {
                break;
            }
            if formatted {
                match byte {
                    b'{' | b'}' if field_depth == 0 && self.peek(1) == byte => self.at += 1,
                    b'{' | b'(' | b'[' if field_depth > 0 => field_depth += 1,
                    b'{' => field_depth = 1,
                    b'}' | b')' | b']' if field_depth > 0 => field_depth -= 1,
                    _ => {}
                }
                if field_depth > MAX_BRACKETS {
                    return true;
                }
            }
            self.at += 1;
        }
        false
    }
}

/// Byte classes of the scan.
const BLANK: u8 = 1;
const IDENT: u8 = 2;
const DIGIT: u8 = 4;
const CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        class[byte] = if b == b' ' || b == b'\t' || b == 0x0c {
            BLANK
        } else if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 {
            IDENT
        } else if b.is_ascii_digit() {
            DIGIT
        } else {
            0
        };
        byte += 1;
    }
    class
};

fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2
        && word
            .iter()
            .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_ifs(levels: usize) -> String {
        let mut source = String::new();
        for level in 0..levels {
            source.push_str(&" ".repeat(4 * level));
            source.push_str("if x:\n");
        }
        source.push_str(&" ".repeat(4 * levels));
        source.push_str("pass\n");
        source
    }

    #[test]
    fn brackets_are_refused_above_two_hundred() {
        let at = |depth: usize| format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(too_deep(&at(200)), None);
        let refused = too_deep(&at(201)).expect("refused");
        assert_eq!(refused.message, "too many nested parentheses");
        assert_eq!(refused.offset, 4 + 200);
    }

    #[test]
    fn indentation_is_refused_at_the_hundredth_level() {
        assert_eq!(too_deep(&nested_ifs(99)), None);
        assert_eq!(
            too_deep(&nested_ifs(100)).expect("refused").message,
            "too many levels of indentation"
        );
    }

    #[test]
    fn flat_data_is_never_refused() {
        let list = format!("x = [{}]\n", "-1, ".repeat(100_000));
        assert_eq!(too_deep(&list), None);
        let strings = format!("x = ({})\n", "'a' ".repeat(100_000));
        assert_eq!(too_deep(&strings), None);
        let calls = "f(a=1, b=-2)\n".repeat(100_000);
        assert_eq!(too_deep(&calls), None);
    }

    #[test]
    fn long_chains_are_refused() {
        let chain = format!("x = {}\n", ["1"; 20_000].join(" + "));
        assert!(too_deep(&chain).is_some());
        let unary = format!("x = {}1\n", "-".repeat(20_000));
        assert!(too_deep(&unary).is_some());
        let attributes = format!("x = a{}\n", ".b".repeat(20_000));
        assert!(too_deep(&attributes).is_some());
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let source = format!(
            "x = '{0}'  # {0}\ny = \"\"\"\n{0}\n\"\"\"\nz = f'{{{{{0}'\n",
            "(".repeat(500)
        );
        assert_eq!(too_deep(&source), None);
    }
}
