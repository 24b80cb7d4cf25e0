// @vitest-environment jsdom
import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useLatestRequest } from './hooks';

describe('useLatestRequest', () => {
  it('aborts the request before each new one, and the last one on unmount', () => {
    const { result, unmount } = renderHook(() => useLatestRequest());
    const first = result.current();
    const second = result.current();
    expect(first.aborted).toBe(true);
    expect(second.aborted).toBe(false);
    unmount();
    expect(second.aborted).toBe(true);
  });

  it('keeps one function across renders, so loaders that depend on it are stable', () => {
    const { result, rerender } = renderHook(() => useLatestRequest());
    const before = result.current;
    rerender();
    expect(result.current).toBe(before);
  });
});
