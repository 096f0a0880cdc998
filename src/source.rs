//! Source files and every position conversion aclc does.
//!
//! Spans are UTF-8 byte offsets into one file. The only place they are turned
//! into lines and columns — characters for the JSON output, UTF-16 code units
//! for the language server — is [`LineIndex`].

use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: to_u32(start),
            end: to_u32(end.max(start)),
        }
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span is empty.
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in the unit asked for.
    pub column: u32,
}

/// Line starts of one text, and conversions from byte offsets.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Index `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| to_u32(i + 1)));
        LineIndex { line_starts }
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or_else(|| self.line_starts.last().copied().unwrap_or(0))
    }

    /// 1-based line and column counted in characters.
    pub fn char_position(&self, text: &str, offset: u32) -> LineCol {
        self.position(text, offset, |s| s.chars().count())
    }

    /// 0-based line and column counted in UTF-16 code units (LSP).
    pub fn utf16_position(&self, text: &str, offset: u32) -> (u32, u32) {
        let p = self.position(text, offset, |s| s.encode_utf16().count());
        (p.line - 1, p.column - 1)
    }

    /// Byte offset of a 0-based line and UTF-16 column (LSP), clamped to the text.
    pub fn offset_of_utf16(&self, text: &str, line: u32, utf16_col: u32) -> u32 {
        let line = line as usize;
        if line >= self.line_starts.len() {
            return to_u32(text.len());
        }
        let start = self.line_start(line) as usize;
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |&e| e as usize);
        let mut units = 0u32;
        let line_text = text.get(start..end).unwrap_or("");
        for (i, c) in line_text.char_indices() {
            if units >= utf16_col || c == '\n' {
                return to_u32(start + i);
            }
            units += c.len_utf16() as u32;
        }
        to_u32(end)
    }

    fn position(&self, text: &str, offset: u32, width: impl Fn(&str) -> usize) -> LineCol {
        let offset = offset.min(to_u32(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line) as usize;
        let mut end = offset as usize;
        // A span never starts inside a character, but be safe on hostile input.
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let col = text.get(start..end).map_or(0, &width);
        LineCol {
            line: to_u32(line + 1),
            column: to_u32(col + 1),
        }
    }
}

/// Where a file came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The predefined library (embedded or configured).
    Predefined,
    /// The operator's policy files.
    User,
}

/// One source file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as shown to the user.
    pub path: String,
    /// The text.
    pub text: Arc<str>,
    /// Its line index.
    pub lines: LineIndex,
    /// Predefined library or user file.
    pub origin: Origin,
}

impl SourceFile {
    /// A file with its line index worked out (the costly part of adding a
    /// large file, so loaders build files in parallel and then
    /// [`SourceMap::push`] them).
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>, origin: Origin) -> SourceFile {
        let text = text.into();
        SourceFile {
            path: path.into(),
            lines: LineIndex::new(&text),
            text,
            origin,
        }
    }

    /// Where the line after 0-based `line` starts (one past its line
    /// break), or the end of the text for the last line.
    pub fn next_line_start(&self, line: usize) -> usize {
        if line + 1 < self.lines.line_count() {
            self.lines.line_start(line + 1) as usize
        } else {
            self.text.len()
        }
    }

    /// The text a span covers ("" when out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// All files of a policy set.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Add a file and return its id.
    pub fn add(
        &mut self,
        path: impl Into<String>,
        text: impl Into<Arc<str>>,
        origin: Origin,
    ) -> FileId {
        self.push(SourceFile::new(path, text, origin))
    }

    /// Add a file built already and return its id.
    pub fn push(&mut self, file: SourceFile) -> FileId {
        let id = FileId(to_u32(self.files.len()));
        self.files.push(file);
        id
    }

    /// Replace the text of a file (an editor's unsaved buffer, a changed
    /// file on disk); its id and path stay.
    pub fn set_text(&mut self, id: FileId, text: impl Into<Arc<str>>) {
        let text = text.into();
        let file = &mut self.files[id.0 as usize];
        file.lines = LineIndex::new(&text);
        file.text = text;
    }

    /// The file with this id.
    ///
    /// Ids only come from [`SourceMap::add`] on this map, so the lookup is in range.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// All files with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(to_u32(i)), f))
    }

    /// The file with this path, if any.
    pub fn find(&self, path: &str) -> Option<FileId> {
        self.iter().find(|(_, f)| f.path == path).map(|(id, _)| id)
    }

    /// `path:line:column` of a span's start (1-based, character columns).
    pub fn location(&self, span: Span) -> String {
        let (start, _) = self.char_range(span);
        format!(
            "{}:{}:{}",
            self.file(span.file).path,
            start.line,
            start.column
        )
    }

    /// The start and end of a span as 1-based lines and character columns.
    pub fn char_range(&self, span: Span) -> (LineCol, LineCol) {
        let f = self.file(span.file);
        (
            f.lines.char_position(&f.text, span.start),
            f.lines.char_position(&f.text, span.end),
        )
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_chars_and_utf16() {
        let text = "ab\n\u{1F600}x y\n";
        let idx = LineIndex::new(text);
        // "x" is after an emoji: 4 bytes, 1 char, 2 UTF-16 units.
        let x = text.find('x').unwrap_or(0) as u32;
        assert_eq!(idx.char_position(text, x), LineCol { line: 2, column: 2 });
        assert_eq!(idx.utf16_position(text, x), (1, 2));
        assert_eq!(idx.offset_of_utf16(text, 1, 2), x);
        assert_eq!(idx.char_position(text, 0), LineCol { line: 1, column: 1 });
        let end = text.len() as u32;
        assert_eq!(idx.char_position(text, end), LineCol { line: 3, column: 1 });
    }
}
