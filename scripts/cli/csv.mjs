// RFC 4180 CSV: comma-separated cells, double-quoted cells may hold commas, line breaks and
// doubled quotes; CRLF or LF line ends; a UTF-8 byte-order mark is ignored.

/**
 * Parses CSV text into rows of cells, each with the line its row starts on (1-based).
 * @throws Error naming the line of an unterminated or malformed quoted cell
 */
export function parseCsv(text) {
  const rows = [];
  let cells = [];
  let cell = "";
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  let afterQuote = false;
  const endCell = () => {
    cells.push(cell);
    cell = "";
    afterQuote = false;
  };
  const endRow = () => {
    endCell();
    rows.push({ line: rowLine, cells });
    cells = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (cell !== "" || afterQuote) throw new Error(`line ${line}: a quote inside an unquoted cell`);
      quoted = true;
    } else if (ch === ",") endCell();
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      if (afterQuote) throw new Error(`line ${line}: text after a closing quote`);
      cell += ch;
    }
  }
  if (quoted) throw new Error(`line ${rowLine}: a quoted cell is not closed`);
  if (cell !== "" || cells.length > 0 || afterQuote) endRow();
  return rows;
}
