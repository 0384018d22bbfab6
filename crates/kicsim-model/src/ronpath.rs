//! Finds where a field of a RON document is written, so that a range error found after
//! parsing (e.g. `suppliers[2].capability`) can be reported at its file:line:col.
//!
//! This is a tolerant structural scan, not a second RON parser: it only needs to find
//! struct fields, sequence elements and tuple elements in a document `ron` already accepted
//! (or, for `path_at`, one it rejected at a known position).

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open(char),
    Close(char),
    Colon,
    Comma,
    Word,
}

fn tokenize(src: &str) -> Vec<(Tok, usize, &str)> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push((Tok::Word, start, &src[start..i.min(src.len())]));
            }
            b'\'' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push((Tok::Word, start, &src[start..i.min(src.len())]));
            }
            b'(' | b'[' | b'{' => {
                out.push((Tok::Open(c as char), i, &src[i..i + 1]));
                i += 1;
            }
            b')' | b']' | b'}' => {
                out.push((Tok::Close(c as char), i, &src[i..i + 1]));
                i += 1;
            }
            b':' => {
                out.push((Tok::Colon, i, ":"));
                i += 1;
            }
            b',' => {
                out.push((Tok::Comma, i, ","));
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while i < bytes.len() {
                    let b = bytes[i];
                    if b.is_ascii_whitespace()
                        || b"()[]{}:,\"'".contains(&b)
                        || (b == b'/' && matches!(bytes.get(i + 1), Some(b'/') | Some(b'*')))
                    {
                        break;
                    }
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                out.push((Tok::Word, start, &src[start..i]));
            }
        }
    }
    out
}

/// (path, start byte, end byte) of every field and element found.
fn index(src: &str) -> Vec<(String, usize, usize)> {
    let toks = tokenize(src);
    let mut out = Vec::new();
    let mut pos = 0;
    value(&toks, &mut pos, "", &mut out, src.len());
    out
}

fn value(toks: &[(Tok, usize, &str)], pos: &mut usize, path: &str, out: &mut Vec<(String, usize, usize)>, len: usize) {
    // Optional struct/enum name before a parenthesis.
    if let Some((Tok::Word, _, _)) = toks.get(*pos) {
        if matches!(toks.get(*pos + 1), Some((Tok::Open('('), _, _))) {
            *pos += 1;
        } else {
            *pos += 1;
            return;
        }
    }
    let Some((Tok::Open(open), _, _)) = toks.get(*pos).cloned() else {
        return;
    };
    *pos += 1;
    let close = match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    };
    let is_struct =
        open == '(' && matches!(toks.get(*pos), Some((Tok::Word, _, _))) && matches!(toks.get(*pos + 1), Some((Tok::Colon, _, _)));
    let mut idx = 0;
    loop {
        match toks.get(*pos) {
            None => return,
            Some((Tok::Close(c), _, _)) if *c == close => {
                *pos += 1;
                return;
            }
            Some((Tok::Close(_), _, _)) => {
                *pos += 1;
                return;
            }
            Some((Tok::Comma, _, _)) => {
                *pos += 1;
                continue;
            }
            _ => {}
        }
        let start = toks[*pos].1;
        let child = if is_struct {
            let name = toks[*pos].2;
            *pos += 1;
            if matches!(toks.get(*pos), Some((Tok::Colon, _, _))) {
                *pos += 1;
            }
            if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }
        } else if open == '{' {
            // map: key : value; index the value under the key text.
            let key = toks[*pos].2.trim_matches('"').to_string();
            value(toks, pos, "", &mut Vec::new(), len);
            if matches!(toks.get(*pos), Some((Tok::Colon, _, _))) {
                *pos += 1;
            }
            format!("{path}.{key}")
        } else {
            let c = format!("{path}[{idx}]");
            idx += 1;
            c
        };
        let before = *pos;
        let slot = out.len();
        out.push((child.clone(), start, len));
        value(toks, pos, &child, out, len);
        let end = toks.get(*pos).map(|t| t.1).unwrap_or(len);
        out[slot].2 = end;
        if *pos == before {
            *pos += 1;
        }
    }
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|s| s.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

fn offset_of(src: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return off + l.char_indices().nth(col.saturating_sub(1)).map(|(b, _)| b).unwrap_or(l.len());
        }
        off += l.len();
    }
    src.len()
}

/// 1-based line and column where `path` (e.g. `suppliers[1].site.x_km`) is written.
/// When the field itself is absent (left to its default), the nearest written ancestor is given.
pub fn locate(src: &str, path: &str) -> Option<(usize, usize)> {
    let idx = index(src);
    let mut p = path.to_string();
    loop {
        if let Some((_, start, _)) = idx.iter().find(|(q, _, _)| *q == p) {
            return Some(line_col(src, *start));
        }
        let cut = p.rfind(['.', '['])?;
        p.truncate(cut);
        if p.is_empty() {
            return None;
        }
    }
}

/// The path of the innermost field written around a 1-based line and column.
pub fn path_at(src: &str, line: usize, col: usize) -> Option<String> {
    let off = offset_of(src, line, col);
    index(src).into_iter().filter(|(_, s, e)| *s <= off && off <= *e).max_by_key(|(p, s, _)| (*s, p.len())).map(|(p, _, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "// a comment (with parens)\n(\n  name: \"x (y)\",\n  suppliers: [\n    (capability: 0.3),\n    (site: (x_km: 1.0, y_km: 2.0), capability: 2.0),\n  ],\n  incentives: (local_content: [(3, 0.4), (5, 0.6)]),\n)\n";

    #[test]
    fn finds_nested_fields_and_elements() {
        assert_eq!(locate(SRC, "name"), Some((3, 3)));
        assert_eq!(locate(SRC, "suppliers[1].capability"), Some((6, 36)));
        assert_eq!(locate(SRC, "suppliers[1].site.y_km"), Some((6, 24)));
        assert_eq!(locate(SRC, "incentives.local_content[1]"), Some((8, 42)));
        // absent field: falls back to the written ancestor
        assert_eq!(locate(SRC, "suppliers[0].site.x_km"), Some((5, 5)));
    }

    #[test]
    fn innermost_path_at_a_position() {
        assert_eq!(path_at(SRC, 6, 40).as_deref(), Some("suppliers[1].capability"));
        assert_eq!(path_at(SRC, 8, 5).as_deref(), Some("incentives"));
    }
}
