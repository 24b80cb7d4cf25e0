import { useCallback, useEffect, useState } from 'react';
import * as api from '../api/api';
import { useLatestRequest } from '../lib/hooks';
import { errorMessage, isAbort } from '../api/http';
import type { Conversation, Customer, Id } from '../api/types';
import { applyToConversation, applyToCustomer } from '../live/applyEvent';
import { useLiveEvents, useResync } from '../live/LiveProvider';

/** One conversation and its customer, kept current by the event stream. */
export function useConversation(conversationId: Id) {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const nextSignal = useLatestRequest();

  const load = useCallback(() => {
    const signal = nextSignal();
    setError(null);
    api.getConversation(conversationId, { signal }).then(
      (loaded) => {
        setConversation({ ...loaded, unread: false });
        return api.getCustomer(loaded.customer.id, { signal }).then(setCustomer);
      },
      (e: unknown) => {
        if (!isAbort(e)) setError(errorMessage(e));
      },
    ).catch(() => {
      // The customer could not be loaded; the panel shows what the conversation knows.
    });
  }, [conversationId, nextSignal]);

  useEffect(() => {
    load();
  }, [load]);

  const reloadCustomer = useCallback(() => {
    if (conversation) api.getCustomer(conversation.customer.id).then(setCustomer, () => {});
  }, [conversation]);

  useLiveEvents((event) => {
    if (conversation) {
      const change = applyToConversation(conversation, event);
      if (change.conversation !== conversation) setConversation(change.conversation);
      if (change.refetch) load();
    }
    if (customer) {
      const change = applyToCustomer(customer, event);
      if (change.customer !== customer) setCustomer(change.customer);
      if (change.refetch) reloadCustomer();
    }
  });
  useResync(load);

  return { conversation, setConversation, customer, setCustomer, error, reload: load };
}
