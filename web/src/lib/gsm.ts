/**
 * GSM-7 stand-ins for the look-alike characters that slip into messages from word processors
 * and phones (smart quotes, dashes, ellipses, special spaces). One of them turns a whole SMS
 * into UCS-2, which more than halves what a segment carries. The list follows Twilio's Smart
 * Encoding for punctuation and spaces; letters and emoji are left alone, they carry meaning.
 */
export const GSM_REPLACEMENTS: Readonly<Record<string, string>> = {
  // quotes and apostrophes
  '\u2018': "'", '\u2019': "'", '\u201A': "'", '\u201B': "'", '\u2032': "'", '\u2035': "'",
  '\u02BC': "'", '\u02B9': "'", '\u02BB': "'", '\u02C8': "'", '\u00B4': "'", '`': "'", '\uFF07': "'",
  '\u201C': '"', '\u201D': '"', '\u201E': '"', '\u201F': '"', '\u2033': '"', '\u2036': '"',
  '\u00AB': '"', '\u00BB': '"', '\u02BA': '"', '\uFF02': '"',
  '\u2039': '<', '\u203A': '>',
  // dashes and hyphens
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u2043': '-', '\uFE63': '-', '\uFF0D': '-',
  // ellipsis and other punctuation
  '\u2026': '...', '\u2022': '-', '\u00B7': '.', '\u203C': '!!', '\u2044': '/', '\u2215': '/', '\u00F7': '/',
  '\u02C6': '^', '\u02DC': '~', '\u2217': '*', '\u3001': ',', '\u3002': '.',
  '\u00BC': '1/4', '\u00BD': '1/2', '\u00BE': '3/4',
  // spaces
  '\u00A0': ' ', '\u2000': ' ', '\u2001': ' ', '\u2002': ' ', '\u2003': ' ', '\u2004': ' ', '\u2005': ' ',
  '\u2006': ' ', '\u2007': ' ', '\u2008': ' ', '\u2009': ' ', '\u200A': ' ', '\u202F': ' ', '\u205F': ' ',
  '\u3000': ' ', '\t': ' ', '\u2028': '\n', '\u2029': '\n',
  // invisible characters
  '\u200B': '', '\u200C': '', '\u2060': '', '\uFEFF': '', '\u00AD': '',
};

export function hasGsmReplacement(character: string): boolean {
  return Object.hasOwn(GSM_REPLACEMENTS, character);
}

export function replaceWithGsm(text: string): string {
  let out = '';
  for (const character of text) out += GSM_REPLACEMENTS[character] ?? character;
  return out;
}

/** A readable name for a character in the UCS-2 list: invisible ones need one. */
export function describeCharacter(character: string): string {
  const code = [...character].map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
  const names: Record<string, string> = {
    '\u00A0': 'non-breaking space',
    '\u202F': 'narrow non-breaking space',
    '\u2009': 'thin space',
    '\u200B': 'zero-width space',
    '\uFEFF': 'zero-width no-break space',
    '\u00AD': 'soft hyphen',
    '\t': 'tab',
    '\u2018': 'left single quote',
    '\u2019': 'right single quote (apostrophe)',
    '\u201C': 'left double quote',
    '\u201D': 'right double quote',
    '\u2013': 'en dash',
    '\u2014': 'em dash',
    '\u2026': 'ellipsis',
  };
  return names[character] ? `${names[character]} (${code})` : code;
}

/** What to show for a character in the list: invisible characters get a visible stand-in. */
export function visibleCharacter(character: string): string {
  if (/^\s$/u.test(character) || /^[\u200B-\u200D\u2060\uFEFF\u00AD]$/u.test(character)) return '␣';
  return character;
}
