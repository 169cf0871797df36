//! Line-based diff between two versions' Markdown texts (Myers' O((N+M)·D) algorithm).

use serde::Serialize;

/// What happened to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineOp {
    Same,
    Added,
    Removed,
}

/// One line of a diff. Line numbers are 1-based; `old_line` is `None` for added lines and
/// `new_line` is `None` for removed lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine<'a> {
    pub op: LineOp,
    pub text: &'a str,
    pub old_line: Option<usize>,
    pub new_line: Option<usize>,
}

/// A shortest edit script from `old` to `new`, line by line, in document order.
/// Removals come before additions at the same position. Line endings (`\n`, `\r\n`) are ignored.
pub fn diff_lines<'a>(old: &'a str, new: &'a str) -> Vec<DiffLine<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();

    // Common prefix and suffix are cheap and make the Myers part small for typical edits.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let a_mid = &a[prefix..a.len() - suffix];
    let b_mid = &b[prefix..b.len() - suffix];

    let mut out = Vec::with_capacity(a.len().max(b.len()));
    for (i, text) in a.iter().take(prefix).enumerate() {
        out.push(DiffLine {
            op: LineOp::Same,
            text,
            old_line: Some(i + 1),
            new_line: Some(i + 1),
        });
    }
    for (op, ai, bi) in myers(a_mid, b_mid) {
        let (text, old_line, new_line) = match op {
            LineOp::Same => (a_mid[ai], Some(prefix + ai + 1), Some(prefix + bi + 1)),
            LineOp::Removed => (a_mid[ai], Some(prefix + ai + 1), None),
            LineOp::Added => (b_mid[bi], None, Some(prefix + bi + 1)),
        };
        out.push(DiffLine {
            op,
            text,
            old_line,
            new_line,
        });
    }
    for k in 0..suffix {
        let ai = a.len() - suffix + k;
        let bi = b.len() - suffix + k;
        out.push(DiffLine {
            op: LineOp::Same,
            text: a[ai],
            old_line: Some(ai + 1),
            new_line: Some(bi + 1),
        });
    }
    out
}

/// Myers' greedy algorithm with a saved trace per edit distance; returns (op, index in a, index in b).
fn myers(a: &[&str], b: &[&str]) -> Vec<(LineOp, usize, usize)> {
    let n = a.len() as isize;
    let m = b.len() as isize;
    let max = (n + m) as usize;
    if max == 0 {
        return Vec::new();
    }
    let offset = max as isize;
    let mut v = vec![0isize; 2 * max + 2];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let idx = |k: isize| (k + offset) as usize;

    'outer: for d in 0..=max as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && v[idx(k - 1)] < v[idx(k + 1)]) {
                v[idx(k + 1)]
            } else {
                v[idx(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[idx(k)] = x;
            if x >= n && y >= m {
                break 'outer;
            }
            k += 2;
        }
    }

    // Backtrack through the trace.
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for (d, v) in trace.iter().enumerate().rev() {
        let d = d as isize;
        let k = x - y;
        let prev_k = if k == -d || (k != d && v[idx(k - 1)] < v[idx(k + 1)]) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = v[idx(prev_k)];
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            ops.push((LineOp::Same, x as usize, y as usize));
        }
        if d > 0 {
            if x == prev_x {
                ops.push((LineOp::Added, x as usize, prev_y as usize));
            } else {
                ops.push((LineOp::Removed, prev_x as usize, y as usize));
            }
        }
        x = prev_x;
        y = prev_y;
    }
    ops.reverse();
    ops
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn render(d: &[DiffLine<'_>]) -> String {
        d.iter()
            .map(|l| {
                let sign = match l.op {
                    LineOp::Same => ' ',
                    LineOp::Added => '+',
                    LineOp::Removed => '-',
                };
                format!("{sign}{}\n", l.text)
            })
            .collect()
    }

    #[test]
    fn identical_texts_have_only_unchanged_lines() {
        let d = diff_lines("a\nb\n", "a\nb\n");
        assert!(d.iter().all(|l| l.op == LineOp::Same));
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn a_changed_line_is_one_removal_and_one_addition_with_line_numbers() {
        let d = diff_lines(
            "# Title\nLock your screen.\nReport losses.\n",
            "# Title\nLock your screen at once.\nReport losses.\n",
        );
        assert_eq!(
            render(&d),
            " # Title\n-Lock your screen.\n+Lock your screen at once.\n Report losses.\n"
        );
        assert_eq!(d[1].old_line, Some(2));
        assert_eq!(d[1].new_line, None);
        assert_eq!(d[2].new_line, Some(2));
        assert_eq!(d[3].old_line, Some(3));
        assert_eq!(d[3].new_line, Some(3));
    }

    #[test]
    fn the_diff_is_minimal() {
        let d = diff_lines("a\nb\nc\na\nb\nb\na\n", "c\nb\na\nb\na\nc\n");
        let edits = d.iter().filter(|l| l.op != LineOp::Same).count();
        assert_eq!(edits, 5); // the classic Myers example has D = 5
    }

    #[test]
    fn empty_to_text_and_back() {
        assert_eq!(render(&diff_lines("", "x\ny")), "+x\n+y\n");
        assert_eq!(render(&diff_lines("x\ny", "")), "-x\n-y\n");
        assert!(diff_lines("", "").is_empty());
    }

    proptest! {
        #[test]
        fn applying_the_diff_reconstructs_both_texts(
            a in proptest::collection::vec("[abc]{0,2}", 0..25),
            b in proptest::collection::vec("[abc]{0,2}", 0..25),
        ) {
            let old = a.join("\n");
            let new = b.join("\n");
            let d = diff_lines(&old, &new);
            let rebuilt_old: Vec<&str> = d.iter().filter(|l| l.op != LineOp::Added).map(|l| l.text).collect();
            let rebuilt_new: Vec<&str> = d.iter().filter(|l| l.op != LineOp::Removed).map(|l| l.text).collect();
            prop_assert_eq!(rebuilt_old, old.lines().collect::<Vec<_>>());
            prop_assert_eq!(rebuilt_new, new.lines().collect::<Vec<_>>());
        }
    }
}
