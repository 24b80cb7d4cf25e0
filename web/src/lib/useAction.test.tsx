// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { FormEvent } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/http';
import { useAction, type RunOptions } from './useAction';

/** A promise the test settles by hand, so it can look at the form while the action is still running. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function SaveForm({ action, options }: { action: () => Promise<unknown>; options?: RunOptions }) {
  const { busy, error, run } = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    return run(action, options);
  };
  return (
    <form onSubmit={submit} aria-label="Save form">
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}

/** Each submit runs the next deferred in line. */
function renderForm(options?: RunOptions) {
  const pending: ReturnType<typeof deferred>[] = [];
  const action = () => {
    const next = deferred();
    pending.push(next);
    return next.promise;
  };
  render(<SaveForm action={action} options={options} />);
  const submit = () => fireEvent.submit(screen.getByRole('form', { name: 'Save form' }));
  const settle = async (outcome: 'resolve' | 'reject', error: unknown = new Error('The server said no.')) => {
    const last = pending.at(-1)!;
    await act(async () => {
      if (outcome === 'resolve') last.resolve();
      else last.reject(error);
      await last.promise.catch(() => {});
    });
  };
  return { submit, settle, pending };
}

const button = () => screen.getByRole('button') as HTMLButtonElement;
const alertText = () => screen.queryByRole('alert')?.textContent ?? null;

describe('useAction', () => {
  afterEach(cleanup);

  it('is busy while the action runs and not after it succeeds', async () => {
    const { submit, settle } = renderForm();
    expect(button().disabled).toBe(false);

    submit();
    expect(button().disabled).toBe(true);
    expect(button().textContent).toBe('Saving…');

    await settle('resolve');
    expect(button().disabled).toBe(false);
    expect(button().textContent).toBe('Save');
    expect(alertText()).toBeNull();
  });

  it('shows the error message on failure and is not left busy', async () => {
    const { submit, settle } = renderForm();
    submit();
    await settle('reject', new ApiError(422, 'invalid', 'The rate must be more than 0.'));

    expect(alertText()).toBe('The rate must be more than 0.');
    expect(button().disabled).toBe(false);
  });

  it('clears the error as soon as a retry starts, and keeps it clear when the retry succeeds', async () => {
    const { submit, settle } = renderForm();
    submit();
    await settle('reject');
    expect(alertText()).toBe('The server said no.');

    submit();
    expect(alertText()).toBeNull();
    expect(button().disabled).toBe(true);

    await settle('resolve');
    expect(alertText()).toBeNull();
    expect(button().disabled).toBe(false);
  });

  it('replaces an earlier error with the newest one', async () => {
    const { submit, settle } = renderForm();
    submit();
    await settle('reject', new Error('First failure.'));
    submit();
    await settle('reject', new Error('Second failure.'));
    expect(alertText()).toBe('Second failure.');
    expect(button().disabled).toBe(false);
  });

  it('falls back to a generic message for a thrown non-error', async () => {
    const { submit, settle } = renderForm();
    submit();
    await settle('reject', 'just a string');
    expect(alertText()).toBe('Something went wrong. Try again.');
  });

  it('lets the caller choose the message, or show none when it handled the error itself', async () => {
    const { submit, settle } = renderForm({ onError: (e) => (e instanceof ApiError && e.status === 401 ? 'Wrong password.' : null) });
    submit();
    await settle('reject', new ApiError(401, 'http_401', 'Please sign in again.'));
    expect(alertText()).toBe('Wrong password.');

    submit();
    await settle('reject', new ApiError(403, 'closed', 'Signup is closed.'));
    expect(alertText()).toBeNull();
    expect(button().disabled).toBe(false);
  });

  it('with keepBusy stays busy after success, but still recovers from a failure', async () => {
    const { submit, settle } = renderForm({ keepBusy: true });
    submit();
    await settle('reject');
    expect(button().disabled).toBe(false);
    expect(alertText()).toBe('The server said no.');

    submit();
    await settle('resolve');
    expect(button().disabled).toBe(true);
    expect(alertText()).toBeNull();
  });
});
