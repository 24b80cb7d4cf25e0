// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from '../lib/router';
import { Highlighted } from './SearchPage';

describe('Highlighted', () => {
  afterEach(cleanup);

  it('marks each range with <mark> and keeps the text as text, never HTML', () => {
    const { container } = render(
      <p>
        <Highlighted text={'<b>refund</b> & Refunded <img src=x>'} highlights={[[3, 9], [16, 24]]} />
      </p>,
    );
    expect([...container.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['refund', 'Refunded']);
    expect(container.querySelector('b, img')).toBeNull();
    expect(container.textContent).toBe('<b>refund</b> & Refunded <img src=x>');
  });

  it('ignores ranges that overlap, are empty or fall outside the text', () => {
    const { container } = render(
      <p>
        <Highlighted text="abc def" highlights={[[4, 7], [0, 3], [1, 2], [5, 5], [6, 99]]} />
      </p>,
    );
    expect([...container.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['abc', 'def']);
    expect(container.textContent).toBe('abc def');
  });
});

describe('search routes', () => {
  it('round-trips the words of a search and a conversation opened at a message', () => {
    const search = { name: 'search', q: 'refund 50% #1/2' } as const;
    expect(parseRoute(routeHref(search))).toEqual(search);
    expect(parseRoute('#/search')).toEqual({ name: 'search', q: '' });
    const atMessage = { name: 'inbox', view: 'closed', conversationId: 'c1', messageId: 'm/1' } as const;
    expect(routeHref(atMessage)).toBe('#/inbox/closed/c/c1/m/m%2F1');
    expect(parseRoute(routeHref(atMessage))).toEqual(atMessage);
    expect(parseRoute('#/inbox/open/c/c1')).toEqual({ name: 'inbox', view: 'open', conversationId: 'c1' });
  });
});
