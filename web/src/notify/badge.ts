/*
 * The unread count on the tab: in its title and as a badge on its favicon, so a tab in the
 * background shows news (docs/rules.md#notifications).
 */
const ICON = "<rect width='32' height='32' rx='8' fill='#1f5f8b'/><path d='M8 10h16v9H14l-5 4v-4H8z' fill='white'/>";

export function faviconHref(unread: number): string {
  const label = unread > 99 ? '99+' : String(unread);
  const badge =
    unread > 0
      ? `<circle cx='23' cy='9' r='9' fill='#d93025'/><text x='23' y='13' font-size='${label.length > 1 ? 9 : 12}' font-family='sans-serif' font-weight='bold' text-anchor='middle' fill='white'>${label}</text>`
      : '';
  return `data:image/svg+xml,${encodeURIComponent(`<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>${ICON}${badge}</svg>`)}`;
}

export function showUnread(unread: number): void {
  document.title = unread > 0 ? `(${unread}) Parley` : 'Parley';
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = document.createElement('link');
    link.rel = 'icon';
    document.head.appendChild(link);
  }
  link.href = faviconHref(unread);
  link.dataset.unread = String(unread);
}
