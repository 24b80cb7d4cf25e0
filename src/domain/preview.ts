/**
 * The inbox preview of a message: its body on one line, or what was attached. The server stores
 * it with the conversation; the web app applies the same rule to a message arriving live.
 */
export function previewOf(body: string, mediaCount: number): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (text) return text.slice(0, 140);
  return mediaCount === 1 ? '[picture]' : mediaCount > 1 ? `[${mediaCount} pictures]` : '';
}
