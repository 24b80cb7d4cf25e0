import { createContext, useContext, useEffect, useLayoutEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import type { LiveEvent } from './applyEvent';
import type { EventHub, HubSignal, LiveStatus } from './eventHub';

const HubContext = createContext<EventHub | null>(null);

export function LiveProvider({ hub, children }: { hub: EventHub | null; children: ReactNode }) {
  return <HubContext.Provider value={hub}>{children}</HubContext.Provider>;
}

/** The browser's shared event stream, to ask whether this tab holds it (the leader). */
export const useHub = () => useContext(HubContext);

/** Calls the latest `handler` for every signal, without resubscribing on each render. */
function useHubSignal(handler: (signal: HubSignal) => void) {
  const hub = useContext(HubContext);
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  useEffect(() => hub?.subscribe((signal) => latest.current(signal)), [hub]);
}

export function useLiveEvents(handler: (event: LiveEvent) => void) {
  useHubSignal((signal) => {
    if (signal.kind === 'event') handler(signal.event);
  });
}

/** After a dropped stream or a new leader tab, events may be missing: refetch what is shown. */
export function useResync(handler: () => void) {
  useHubSignal((signal) => {
    if (signal.kind === 'resync') handler();
  });
}

const stoppedStatus = () => 'stopped' as LiveStatus;
const noSubscribe = () => () => {};

export function useLiveStatus(): LiveStatus {
  const hub = useContext(HubContext);
  return useSyncExternalStore(hub ? hub.subscribe : noSubscribe, hub ? hub.getStatus : stoppedStatus);
}
