/**
 * Placeholders in canned replies (docs/rules.md#canned-replies), filled when an agent inserts a
 * reply. One module for the server (which refuses unknown ones at save) and the web app (which
 * fills them), so both read a reply the same way.
 */

export const PLACEHOLDERS = ['customer.name', 'customer.firstName', 'agent.name', 'agent.firstName'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface PlaceholderPeople {
  customer: { name: string | null };
  agent: { name: string | null };
}

// `{{ customer.name }}` is the same placeholder as `{{customer.name}}`; the name itself is exact.
const ANY = /\{\{\s*([^{}]*?)\s*\}\}/g;

const isKnown = (key: string): key is Placeholder => (PLACEHOLDERS as readonly string[]).includes(key);

/** The placeholders of `body` this module does not know, once each, as typed (`{{customer.phone}}`). */
export function unknownPlaceholders(body: string): string[] {
  const unknown = new Set<string>();
  for (const match of body.matchAll(ANY)) if (!isKnown(match[1]!)) unknown.add(match[0]);
  return [...unknown];
}

const firstName = (name: string) => name.split(/\s+/)[0] ?? '';

export function placeholderValue(key: Placeholder, people: PlaceholderPeople): string {
  const [who, part] = key.split('.') as ['customer' | 'agent', 'name' | 'firstName'];
  const name = (people[who].name ?? '').trim().replace(/\s+/g, ' ');
  return part === 'name' ? name : firstName(name);
}

/**
 * Fills the known placeholders. An empty value (a customer without a name) leaves no trace: the
 * placeholder goes with the spaces or tabs before it, or, when nothing but them precedes it on its
 * line, with the spaces or tabs after it. So "Hi {{customer.firstName}}, thanks" becomes
 * "Hi, thanks", "Hi {{customer.firstName}} {{agent.firstName}} here" with neither name "Hi here",
 * and "{{customer.firstName}} hello" becomes "hello": never a doubled or leading space. Unknown
 * placeholders stay as typed (the API refuses to save them, so only old text can hold one).
 */
export function fillPlaceholders(body: string, people: PlaceholderPeople): string {
  let out = '';
  let last = 0;
  let dropLeadingSpace = false;
  for (const match of body.matchAll(ANY)) {
    let before = body.slice(last, match.index);
    if (dropLeadingSpace) before = before.replace(/^[ \t]+/, '');
    last = match.index + match[0].length;
    const key = match[1]!;
    const value = isKnown(key) ? placeholderValue(key, people) : match[0];
    if (value !== '') {
      out += before + value;
      dropLeadingSpace = false;
      continue;
    }
    out += before.replace(/[ \t]+$/, '');
    // Mid-line, the spaces after it separate what was before from what follows: they stay.
    dropLeadingSpace = out === '' || out.endsWith('\n');
  }
  const rest = body.slice(last);
  return out + (dropLeadingSpace ? rest.replace(/^[ \t]+/, '') : rest);
}
