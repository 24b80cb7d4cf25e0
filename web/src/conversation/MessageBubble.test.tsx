// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { aMessage, aUser } from '../test/factories';
import { MessageBubble } from './MessageBubble';

function renderBubble(message = aMessage(), onRetry = vi.fn(async () => {})) {
  render(
    <ol>
      <MessageBubble message={message} author={aUser()} onEnlarge={() => {}} onRetry={onRetry} onMediaLoad={() => {}} />
    </ol>,
  );
  return { bubble: screen.getByTestId('message'), onRetry };
}

describe('MessageBubble', () => {
  afterEach(cleanup);

  it('renders customer text as text, never as HTML', () => {
    const { bubble } = renderBubble(aMessage({ body: '<img src=x onerror="alert(1)"><b>bold</b> javascript:alert(2)' }));
    expect(bubble.querySelector('img, b')).toBeNull();
    expect(bubble.textContent).toContain('<img src=x onerror="alert(1)"><b>bold</b>');
    expect(bubble.querySelector('a')).toBeNull();
  });

  it('marks the away reply as automatic, and an agent\'s reply not', () => {
    const away = render(
      <ol>
        <MessageBubble message={aMessage({ id: 'a1', direction: 'outbound', status: 'sent', automatic: true })} author={undefined} onEnlarge={() => {}} onRetry={async () => {}} onMediaLoad={() => {}} />
      </ol>,
    );
    expect(away.getByTestId('message').dataset.automatic).toBe('true');
    expect(away.getByTestId('message').textContent).toContain('Automatic away message');
    cleanup();
    const { bubble } = renderBubble(aMessage({ direction: 'outbound', status: 'sent' }));
    expect(bubble.dataset.automatic).toBeUndefined();
    expect(bubble.textContent).not.toContain('Automatic');
  });

  it('links only http(s) addresses', () => {
    const { bubble } = renderBubble(aMessage({ body: 'Track it at https://example.com/t/1. Thanks' }));
    const link = bubble.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://example.com/t/1');
    expect(link.getAttribute('rel')).toContain('noopener');
  });

  it('marks delivery status and explains a failure, with a retry', () => {
    const { bubble, onRetry } = renderBubble(
      aMessage({ direction: 'outbound', status: 'failed', errorCode: 30003, errorMessage: 'The phone is unreachable.' }),
    );
    expect(bubble.dataset.status).toBe('failed');
    expect(screen.getByTestId('delivery-mark').getAttribute('title')).toBe('Failed: The phone is unreachable. (error 30003)');
    expect(bubble.textContent).toContain('The phone is unreachable. (error 30003)');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalled();
  });

  it('shows pictures as thumbnails that open the full picture, and other files as downloads', () => {
    const onEnlarge = vi.fn();
    const picture = { id: 'a', contentType: 'image/jpeg', size: 10, url: '/media/a', thumbnailUrl: '/media/a/thumbnail', status: 'ready' as const };
    render(
      <ol>
        <MessageBubble
          message={aMessage({ media: [picture, { id: 'b', contentType: 'image/svg+xml', size: 10, url: '/media/b', thumbnailUrl: null, status: 'ready' }] })}
          author={aUser()}
          onEnlarge={onEnlarge}
          onRetry={async () => {}}
          onMediaLoad={() => {}}
        />
      </ol>,
    );
    const enlarge = screen.getByRole('button', { name: 'Enlarge picture' });
    expect(enlarge.querySelector('img')!.getAttribute('src')).toBe('/media/a/thumbnail');
    fireEvent.click(enlarge);
    expect(onEnlarge).toHaveBeenCalledWith(picture);
    expect(screen.getByRole('link', { name: /Attachment \(image\/svg\+xml/ }).hasAttribute('download')).toBe(true);
  });
});
