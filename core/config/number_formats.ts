/**
 * Numbers written the way a file's locale writes them, for `integer` and `number` columns that
 * declare a `decimalSeparator`, a `thousandsSeparator`, `percent` or a `currency` list:
 * `1.234,5` with a decimal comma and thousands dots, `12.5%` (→ `0.125`), `$ 1,200`, `-€5`. The
 * result is the exact canonical decimal text of `decimal.ts`: digits are moved, never computed in
 * floating point, so `12.5%` is exactly `0.125`.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { canonicalDecimal } from "./decimal.ts";

/** Separators a number may use between thousands groups. */
export const THOUSANDS_SEPARATORS = [",", ".", " ", "'"] as const;

/** How a column writes its numbers. */
export interface NumberFormat {
  readonly decimalSeparator: "." | ",";
  readonly thousandsSeparator?: typeof THOUSANDS_SEPARATORS[number];
  readonly percent?: boolean;
  readonly currency?: readonly string[];
}

// Spreadsheets write a space separator as a no-break or narrow no-break space.
const SPACES = /[\u00a0\u202f]/g;

/**
 * Compiles the reader of one number format: a cell in, its canonical decimal text out, or null
 * when the cell is not a number written that way. Thousands groups must be whole (`1.2345,6` is
 * refused), so a misplaced separator is never read as a smaller or larger number.
 *
 * @example
 * ```ts
 * import { compileNumberFormat } from "./number_formats.ts";
 * const read = compileNumberFormat({ decimalSeparator: ",", thousandsSeparator: "." });
 * if (read("1.234,50") !== "1234.50" || read("1.2345") !== null) throw new Error("unexpected");
 * ```
 */
export function compileNumberFormat(format: NumberFormat): (text: string) => string | null {
  const thousands = format.thousandsSeparator;
  const decimal = format.decimalSeparator;
  // Whole groups only: a separator the expression does not place refuses the cell.
  const grouped = thousands === undefined
    ? null
    : new RegExp(`^[+-]?\\d{1,3}(?:${escape(thousands)}\\d{3})+(?:${escape(decimal)}\\d+)?$`);
  // The separator that is not this format's decimal one, never valid outside groups.
  const foreign = decimal === "," ? "." : ",";
  // Longest first, so "US$" is stripped whole before "$" could be.
  const symbols = [...format.currency ?? []].sort((a, b) => b.length - a.length);
  const decorated = symbols.length > 0 || format.percent === true;
  // Cheap tests first: most cells have no thousands separator, and decimal.ts checks the rest.
  const read = (raw: string, percent: boolean): string | null => {
    let text = raw;
    if (grouped !== null && text.includes(thousands!)) {
      if (!grouped.test(text)) return null;
      text = text.replaceAll(thousands!, "");
    }
    if (text.includes(foreign)) return null;
    if (decimal === ",") text = text.replace(",", ".");
    return canonicalDecimal(percent ? `${text}e-2` : text);
  };
  return (raw) => {
    const text = thousands === " " ? raw.replace(SPACES, " ").trim() : raw.trim();
    const plain = read(text, false);
    if (plain !== null || !decorated) return plain;
    return readDecorated(text, symbols, format.percent === true, read);
  };
}

/** Strips one currency symbol and a `%` (either side of a sign), then reads what is left. */
function readDecorated(
  raw: string,
  symbols: readonly string[],
  percentAllowed: boolean,
  read: (text: string, percent: boolean) => string | null,
): string | null {
  let text = raw;
  let sign = "";
  let percent = false;
  let stripped = false;
  for (let pass = 0; pass < 2; pass++) {
    // Sign and symbol come in either order: "-$5" and "$-5".
    if (sign === "" && (text[0] === "-" || text[0] === "+")) {
      sign = text[0];
      text = text.slice(1).trimStart();
    }
    for (const symbol of stripped ? [] : symbols) {
      if (text.startsWith(symbol)) text = text.slice(symbol.length).trimStart();
      else if (text.endsWith(symbol)) text = text.slice(0, -symbol.length).trimEnd();
      else continue;
      stripped = true;
      break;
    }
    if (percentAllowed && !percent && text.endsWith("%")) {
      percent = true;
      text = text.slice(0, -1).trimEnd();
    }
  }
  if (sign !== "" && (text[0] === "-" || text[0] === "+")) return null;
  return read(sign + text, percent);
}

/** `1234.5` written in `format`, for messages. */
export function numberExample(format: NumberFormat, whole: boolean): string {
  const int = format.thousandsSeparator === undefined ? "1234" : `1${format.thousandsSeparator}234`;
  return whole ? int : `${int}${format.decimalSeparator}5`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
