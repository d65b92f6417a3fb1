//! One string scalar as go-yaml v2 writes it (the printer behind `kubectl kustomize`):
//! the style it picks — plain, single- or double-quoted, literal block with its `|2`/`|-`/
//! `|+` indicators — and where it folds lines past 80 columns. A port of
//! `yaml_emitter_analyze_scalar`, `select_scalar_style` and the `write_*_scalar` functions
//! of go-yaml v2's emitterc.go.

use super::Printer;
use super::resolve::needs_quotes;

/// go-yaml's preferred line width: a space past this column becomes a line break.
const BEST_WIDTH: usize = 80;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// What `yaml_emitter_analyze_scalar` finds (flow context never arises here).
struct Analysis {
    multiline: bool,
    plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// Whether `s` can be a simple (`key: value`) mapping key; longer or multi-line keys are
/// written as `? key`.
pub(super) fn is_simple_key(s: &str) -> bool {
    s.len() <= 128 && (is_plain_word(s) || !analyze(s).multiline)
}

/// A word of ASCII letters, digits and `-._/:@+=~` that starts with a letter or digit and
/// does not end with `:` — most keys and values (`app`, `nginx:1.25`, `v1`). go-yaml's
/// analysis allows it plain and it has nothing to fold, so it skips the analysis.
fn is_plain_word(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && !s.ends_with(':')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-._/:@+=~".contains(b))
}

/// Writes `s` where the printer stands; continuation lines go at `indent`. A simple key
/// is never folded.
pub(super) fn write_string(printer: &mut Printer, s: &str, indent: usize, simple_key: bool) {
    if is_plain_word(s) && !needs_quotes(s) {
        if !printer.whitespace {
            printer.put(' ');
        }
        printer.out.push_str(s);
        printer.column += s.len();
        printer.whitespace = false;
        printer.indention = false;
        return;
    }
    let analysis = analyze(s);
    let mut style = if s.contains('\n') {
        Style::Literal
    } else if needs_quotes(s) {
        Style::DoubleQuoted
    } else {
        Style::Plain
    };
    if simple_key && analysis.multiline {
        style = Style::DoubleQuoted;
    }
    if style == Style::Plain && (!analysis.plain_allowed || s.is_empty() && simple_key) {
        style = Style::SingleQuoted;
    }
    if style == Style::SingleQuoted && !analysis.single_quoted_allowed {
        style = Style::DoubleQuoted;
    }
    if style == Style::Literal && (!analysis.block_allowed || simple_key) {
        style = Style::DoubleQuoted;
    }
    let allow_breaks = !simple_key;
    match style {
        Style::Plain => write_plain(printer, s, indent, allow_breaks),
        Style::SingleQuoted => write_single_quoted(printer, s, indent, allow_breaks),
        Style::DoubleQuoted => write_double_quoted(printer, s, indent, allow_breaks),
        Style::Literal => write_literal(printer, s, indent),
    }
}

fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}')
        || ('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}'
}

pub(super) fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            multiline: false,
            plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut line_breaks, mut special_characters) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = chars.get(i + 1).is_none_or(|&next| is_blank(next));
        let (first, last) = (i == 0, i + 1 == chars.len());
        block_indicators |= match c {
            '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%'
            | '@' | '`'
                if first =>
            {
                true
            }
            '?' | '-' if first => followed_by_whitespace,
            ':' => followed_by_whitespace,
            '#' => preceded_by_whitespace,
            _ => false,
        };
        special_characters |= !is_printable(c);
        if c == ' ' {
            leading_space |= first;
            trailing_space |= last;
            break_space |= previous_break;
            (previous_space, previous_break) = (true, false);
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= first;
            trailing_break |= last;
            space_break |= previous_space;
            (previous_space, previous_break) = (false, true);
        } else {
            (previous_space, previous_break) = (false, false);
        }
        preceded_by_whitespace = is_blank(c) || is_break(c) || c == '\0';
    }
    Analysis {
        multiline: line_breaks,
        plain_allowed: !(leading_space
            || leading_break
            || trailing_space
            || trailing_break
            || break_space
            || space_break
            || special_characters
            || line_breaks
            || block_indicators),
        single_quoted_allowed: !(break_space || space_break || special_characters),
        block_allowed: !(trailing_space || space_break || special_characters),
    }
}

fn write_plain(printer: &mut Printer, s: &str, indent: usize, allow_breaks: bool) {
    if !printer.whitespace {
        printer.put(' ');
    }
    write_folding(printer, s, indent, allow_breaks, false);
    printer.whitespace = false;
    printer.indention = false;
}

fn write_single_quoted(printer: &mut Printer, s: &str, indent: usize, allow_breaks: bool) {
    printer.write_indicator("'", true, false, false);
    write_folding(printer, s, indent, allow_breaks, true);
    printer.write_indicator("'", false, false, false);
    printer.whitespace = false;
    printer.indention = false;
}

/// The characters of a plain or single-quoted scalar, as go-yaml writes both: a space past
/// the best width (not before another space; inside the quotes when `quoted`) becomes a
/// line break, a line break is doubled, and a quoted `'` is written twice.
fn write_folding(printer: &mut Printer, s: &str, indent: usize, allow_breaks: bool, quoted: bool) {
    let chars: Vec<char> = s.chars().collect();
    let (mut spaces, mut breaks) = (false, false);
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let inner = !quoted || (i > 0 && i + 1 < chars.len());
            let next_is_space = chars.get(i + 1) == Some(&' ');
            if allow_breaks && !spaces && printer.column > BEST_WIDTH && inner && !next_is_space {
                printer.write_indent(indent);
            } else {
                printer.put(c);
            }
            spaces = true;
        } else if is_break(c) {
            if !breaks && c == '\n' {
                printer.put_break();
            }
            printer.write_break(c);
            printer.indention = true;
            breaks = true;
        } else {
            if breaks {
                printer.write_indent(indent);
            }
            if quoted && c == '\'' {
                printer.put('\'');
            }
            printer.put(c);
            printer.indention = false;
            (spaces, breaks) = (false, false);
        }
    }
}

fn write_double_quoted(printer: &mut Printer, s: &str, indent: usize, allow_breaks: bool) {
    printer.write_indicator("\"", true, false, false);
    // go-yaml tests for a byte-order mark at the start of the value, not at each character.
    let starts_with_bom = s.starts_with('\u{feff}');
    let chars: Vec<char> = s.chars().collect();
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if !is_printable(c) || starts_with_bom || is_break(c) || c == '"' || c == '\\' {
            printer.put('\\');
            write_escape(printer, c);
            spaces = false;
        } else if c == ' ' {
            if allow_breaks
                && !spaces
                && printer.column > BEST_WIDTH
                && i > 0
                && i + 1 < chars.len()
            {
                printer.write_indent(indent);
                if chars[i + 1] == ' ' {
                    printer.put('\\');
                }
            } else {
                printer.put(c);
            }
            spaces = true;
        } else {
            printer.put(c);
            spaces = false;
        }
    }
    printer.write_indicator("\"", false, false, false);
    printer.whitespace = false;
    printer.indention = false;
}

/// The escape after the backslash: a named one, else `x`, `u` or `U` with upper-case hex.
fn write_escape(printer: &mut Printer, c: char) {
    let named = match c {
        '\0' => Some('0'),
        '\u{7}' => Some('a'),
        '\u{8}' => Some('b'),
        '\t' => Some('t'),
        '\n' => Some('n'),
        '\u{b}' => Some('v'),
        '\u{c}' => Some('f'),
        '\r' => Some('r'),
        '\u{1b}' => Some('e'),
        '"' => Some('"'),
        '\\' => Some('\\'),
        '\u{85}' => Some('N'),
        '\u{a0}' => Some('_'),
        '\u{2028}' => Some('L'),
        '\u{2029}' => Some('P'),
        _ => None,
    };
    if let Some(letter) = named {
        printer.put(letter);
        return;
    }
    let code = u32::from(c);
    let hex = match code {
        0..=0xff => format!("x{code:02X}"),
        0x100..=0xffff => format!("u{code:04X}"),
        _ => format!("U{code:08X}"),
    };
    hex.chars().for_each(|h| printer.put(h));
}

fn write_literal(printer: &mut Printer, s: &str, indent: usize) {
    printer.write_indicator("|", true, false, false);
    let chars: Vec<char> = s.chars().collect();
    if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
        printer.write_indicator("2", false, false, false);
    }
    let trailing_breaks = chars.iter().rev().take_while(|&&c| is_break(c)).count();
    match (trailing_breaks, chars.len()) {
        (0, _) => printer.write_indicator("-", false, false, false),
        (1, len) if len > 1 => {}
        _ => printer.write_indicator("+", false, false, false),
    }
    printer.put_break();
    printer.indention = true;
    printer.whitespace = true;
    let mut breaks = true;
    for &c in &chars {
        if is_break(c) {
            printer.write_break(c);
            printer.indention = true;
            breaks = true;
        } else {
            if breaks {
                printer.write_indent(indent);
            }
            printer.put(c);
            printer.indention = false;
            breaks = false;
        }
    }
}
