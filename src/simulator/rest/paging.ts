import type { FastifyRequest } from 'fastify';
import { badRequest } from './errors.js';
import { asForm, param } from './form.js';

/**
 * Twilio's list paging. A page is chosen by PageSize and Page, and next/previous links carry a
 * PageToken naming the item the page follows (`PA<sid>`) or precedes (`PB<sid>`), so paging
 * stays stable while new messages arrive at the head of a newest-first list. twilio-node's
 * list() and each() follow `next_page_uri` (2010 API) or `meta.next_page_url` (v1 APIs).
 */

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

interface Window<T> {
  items: T[];
  page: number;
  pageSize: number;
  hasNext: boolean;
  hasPrevious: boolean;
}

function pageWindow<T>(all: T[], sidOf: (item: T) => string, query: Record<string, unknown>): Window<T> {
  const pageSize = Math.min(Number(param(query, 'PageSize') ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
  const page = Number(param(query, 'Page') ?? 0);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw badRequest(20001, 'PageSize must be a positive integer');
  if (!Number.isInteger(page) || page < 0) throw badRequest(20001, 'Page must be a non-negative integer');
  const token = param(query, 'PageToken');
  let start = page * pageSize;
  if (token?.startsWith('PA')) {
    const index = all.findIndex((item) => sidOf(item) === token.slice(2));
    start = index >= 0 ? index + 1 : start;
  } else if (token?.startsWith('PB')) {
    const index = all.findIndex((item) => sidOf(item) === token.slice(2));
    start = index >= 0 ? Math.max(0, index - pageSize) : start;
  }
  const items = all.slice(start, start + pageSize);
  return { items, page, pageSize, hasNext: start + pageSize < all.length, hasPrevious: start > 0 };
}

function withQuery(path: string, filters: Record<string, string>, extra: Record<string, string>): string {
  const search = new URLSearchParams({ ...filters, ...extra }).toString().replace(/\+/g, '%20');
  return `${path}?${search}`;
}

function links<T>(w: Window<T>, sidOf: (item: T) => string, path: string, filters: Record<string, string>) {
  const size = String(w.pageSize);
  const first = w.items[0];
  const last = w.items[w.items.length - 1];
  return {
    uri: withQuery(path, filters, { PageSize: size, Page: String(w.page) }),
    first: withQuery(path, filters, { PageSize: size, Page: '0' }),
    next: w.hasNext && last
      ? withQuery(path, filters, { PageSize: size, Page: String(w.page + 1), PageToken: `PA${sidOf(last)}` })
      : null,
    previous: w.hasPrevious && first
      ? withQuery(path, filters, { PageSize: size, Page: String(Math.max(0, w.page - 1)), PageToken: `PB${sidOf(first)}` })
      : null,
  };
}

/** A 2010-04-01 list page: `{<key>: [...], page, page_size, start, end, uri, first_page_uri, next_page_uri, previous_page_uri}`. */
export function page2010<T>(
  request: FastifyRequest,
  all: T[],
  opts: { key: string; sidOf: (item: T) => string; present: (item: T) => object; filters: Record<string, string> },
): object {
  const w = pageWindow(all, opts.sidOf, asForm(request.query));
  const path = request.url.split('?')[0] ?? request.url;
  const l = links(w, opts.sidOf, path, opts.filters);
  const start = w.page * w.pageSize;
  return {
    [opts.key]: w.items.map(opts.present),
    end: w.items.length > 0 ? start + w.items.length - 1 : start,
    first_page_uri: l.first,
    next_page_uri: l.next,
    page: w.page,
    page_size: w.pageSize,
    previous_page_uri: l.previous,
    start,
    uri: l.uri,
  };
}

/** A v1 list page: `{<key>: [...], meta: {page, page_size, first_page_url, previous_page_url, url, next_page_url, key}}`. */
export function pageV1<T>(
  request: FastifyRequest,
  all: T[],
  opts: { key: string; baseUrl: string; sidOf: (item: T) => string; present: (item: T) => object },
): object {
  const w = pageWindow(all, opts.sidOf, asForm(request.query));
  const path = request.url.split('?')[0] ?? request.url;
  const l = links(w, opts.sidOf, path, {});
  const absolute = (uri: string | null): string | null => (uri === null ? null : opts.baseUrl + uri);
  return {
    [opts.key]: w.items.map(opts.present),
    meta: {
      page: w.page,
      page_size: w.pageSize,
      first_page_url: absolute(l.first),
      previous_page_url: absolute(l.previous),
      url: absolute(l.uri),
      next_page_url: absolute(l.next),
      key: opts.key,
    },
  };
}
