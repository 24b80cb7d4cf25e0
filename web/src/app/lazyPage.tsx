import { lazy, type ComponentType } from 'react';

const RELOADED = 'parley.reloadedForChunk';

/**
 * A page loaded the first time it is asked for: the inbox is what every agent opens, settings and
 * search can wait. A tab opened before an upgrade asks for files the new build no longer has, so
 * a failed load fetches the app anew, once; if that does not help, the page says so.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>, reload = () => window.location.reload()) {
  return lazy(async () => {
    try {
      const Page = await load();
      sessionStorage.removeItem(RELOADED);
      return { default: Page };
    } catch {
      if (!sessionStorage.getItem(RELOADED)) {
        sessionStorage.setItem(RELOADED, '1');
        reload();
      }
      return { default: PageDidNotLoad };
    }
  });
}

function PageDidNotLoad() {
  return (
    <div className="page-error">
      <h1>This page did not load</h1>
      <p role="alert">Parley could not fetch this page from the server. Check the connection and reload.</p>
    </div>
  );
}
