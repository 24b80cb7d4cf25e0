import type { Background } from './background.js';
import type { RateWindow } from './faults.js';
import type { SimStore } from './store.js';

/** What routes and delivery share. URLs are filled in once both listeners are up. */
export interface SimContext {
  store: SimStore;
  background: Background;
  rateWindow: RateWindow;
  urls: {
    /** Base URL of the REST API as clients reach it (inbound MediaUrls are built on it). */
    api: string;
    /** Base URL of the media host (the CDN that media redirects point at). */
    media: string;
  };
  /** How long the simulator waits for a webhook to answer; Twilio waits 15 s. */
  webhookTimeoutMs: number;
  log: (message: string) => void;
}
