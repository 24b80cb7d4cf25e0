import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import * as api from '../api/api';
import { errorMessage, isAbort } from '../api/http';
import type { SearchResult } from '../api/types';
import { useDirectory } from '../app/session';
import { customerLabel, fullDateTime } from '../lib/format';
import { useLatestRequest } from '../lib/hooks';
import { navigate, routeHref } from '../lib/router';
import { ErrorNote } from '../ui/ConfirmDialog';

type Results = { q: string; items: SearchResult[]; nextCursor: string | null };

/**
 * Message search: the words in the address (#/search/<words>), so a result list can be linked to
 * and the back button returns to it. Each result opens its conversation at that message.
 */
export function SearchPage({ q }: { q: string }) {
  const [input, setInput] = useState(q);
  const [results, setResults] = useState<Results | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nextSignal = useLatestRequest();

  const load = useCallback(
    (cursor: string | null) => {
      const signal = nextSignal();
      setLoading(true);
      setError(null);
      api.searchMessages(q, cursor, { signal }).then(
        (page) => {
          setResults((before) => ({ q, items: cursor && before?.q === q ? [...before.items, ...page.items] : page.items, nextCursor: page.nextCursor }));
          setLoading(false);
        },
        (e: unknown) => {
          if (isAbort(e)) return;
          setError(errorMessage(e));
          setLoading(false);
        },
      );
    },
    [q, nextSignal],
  );

  useEffect(() => {
    setInput(q);
    setResults(null);
    if (q.trim()) load(null);
  }, [q, load]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const words = input.trim();
    if (words) navigate({ name: 'search', q: words });
  };

  return (
    <section className="search-page" aria-labelledby="search-title">
      <h1 id="search-title">Search messages</h1>
      <form role="search" className="search-form" onSubmit={submit}>
        <label htmlFor="message-search">Words in messages and notes</label>
        <div className="search-row">
          <input id="message-search" type="search" autoComplete="off" autoFocus value={input} maxLength={200} placeholder="e.g. refund" onChange={(e) => setInput(e.target.value)} />
          <button type="submit" className="button button-primary" disabled={!input.trim()}>
            Search
          </button>
        </div>
        <p className="muted">Finds every word you type at the start of a word, in any case and with or without accents.</p>
      </form>
      {error && <ErrorNote message={error} onRetry={() => load(null)} />}
      {loading && !results && (
        <p className="muted" role="status">
          Searching…
        </p>
      )}
      {results && results.items.length === 0 && <p className="muted">No message or note holds “{results.q}”.</p>}
      {results && results.items.length > 0 && (
        <ol className="search-results" aria-label="Search results">
          {results.items.map((r) => (
            <ResultItem key={r.message.id} result={r} />
          ))}
        </ol>
      )}
      {results?.nextCursor && (
        <button type="button" className="button button-small" onClick={() => load(results.nextCursor)} disabled={loading}>
          {loading ? 'Loading…' : 'More results'}
        </button>
      )}
    </section>
  );
}

function ResultItem({ result }: { result: SearchResult }) {
  const { userById } = useDirectory();
  const { message, conversation, snippet } = result;
  const author = userById(message.authorId)?.name;
  const who = message.direction === 'inbound' ? 'The customer wrote' : message.direction === 'note' ? `Note by ${author ?? 'a former user'}` : `${author ?? (message.automatic ? 'Away message' : 'Team')} replied`;
  const href = routeHref({ name: 'inbox', view: conversation.status === 'closed' ? 'closed' : 'open', conversationId: conversation.id, messageId: message.id });
  return (
    <li className="search-result" data-testid="search-result" data-direction={message.direction}>
      <a href={href}>
        <span className="search-result-head">
          <strong>{customerLabel(conversation.customer)}</strong>
          <span className={`badge badge-${conversation.status}`}>{conversation.status === 'open' ? 'Open' : 'Closed'}</span>
          <time dateTime={message.createdAt}>{fullDateTime(message.createdAt)}</time>
        </span>
        <span className="search-result-who muted">{who}</span>
        <span className="search-snippet">
          <Highlighted text={snippet.text} highlights={snippet.highlights} />
        </span>
      </a>
    </li>
  );
}

/** The snippet as text nodes, each matched range in a <mark>: whatever the text holds, it is never markup. */
export function Highlighted({ text, highlights }: { text: string; highlights: Array<[number, number]> }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of [...highlights].sort((a, b) => a[0] - b[0])) {
    if (start < at || end <= start || end > text.length) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
