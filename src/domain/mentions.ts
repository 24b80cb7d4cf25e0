/**
 * `@Name` in a note mentions the user of that name (docs/rules.md#internal-notes). Names may hold
 * spaces, so at each `@` the longest name that follows wins ("@Ada Admin" is Ada Admin, not Ada),
 * case-insensitively, and only when the name ends at a word boundary ("@Adam" is not Ada).
 */
export function mentionedUserIds(body: string, users: ReadonlyArray<{ id: string; name: string }>): string[] {
  const byLength = [...users].filter((u) => u.name.trim() !== '').sort((a, b) => b.name.length - a.name.length);
  const text = body.toLocaleLowerCase();
  const found = new Set<string>();
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    const user = byLength.find((u) => mentionsAt(text, at + 1, u.name.toLocaleLowerCase()));
    if (user) found.add(user.id);
  }
  return [...found];
}

function mentionsAt(text: string, start: number, name: string): boolean {
  if (!text.startsWith(name, start)) return false;
  const next = text[start + name.length];
  return next === undefined || !/[\p{L}\p{N}_]/u.test(next);
}
