/** Typed functions for the docs/api.md endpoints the web app uses. */
import { request, type RequestOptions } from './http';
import type {
  AddedSender,
  AuditEntry,
  AvailableNumber,
  CannedReply,
  Conversation,
  ConversationStatus,
  Customer,
  Id,
  IncomingNumber,
  Label,
  Me,
  Preferences,
  LoginAnswer,
  Message,
  NewSender,
  Organization,
  Page,
  Role,
  SearchResult,
  Sender,
  SignupAnswer,
  StartedConversation,
  Timeline,
  TwilioIntegration,
  UploadedMedia,
  User,
} from './types';
import type { disconnect } from '../../../src/features/twilio/service';

type Query = Record<string, string | number | null | undefined>;

function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const enc = encodeURIComponent;

const list = <T>(path: string, options?: RequestOptions) => request<Page<T>>('GET', path, undefined, options);

export interface ConversationQuery {
  status?: ConversationStatus;
  assignee?: 'me' | 'unassigned' | Id;
  q?: string;
  label?: Id;
  cursor?: string | null;
  limit?: number;
}

// --- session ---
export const me = (options?: RequestOptions) => request<Me>('GET', '/api/me', undefined, { expectUnauthorized: true, ...options });
export const login = (email: string, password: string) =>
  request<LoginAnswer>('POST', '/api/login', { email, password }, { expectUnauthorized: true });
export const signup = (input: { orgName: string; name: string; email: string; password: string }) =>
  request<SignupAnswer>('POST', '/api/signup', input, { expectUnauthorized: true });
export const logout = () => request<void>('POST', '/api/logout');
export const changePassword = (currentPassword: string, newPassword: string) =>
  request<void>('POST', '/api/me/password', { currentPassword, newPassword });

// --- the caller's notification preferences ---
export const getPreferences = () => request<Preferences>('GET', '/api/me/preferences');
export const updatePreferences = (changes: Partial<Preferences>) => request<Preferences>('PATCH', '/api/me/preferences', changes);

// --- users and settings ---
export const listUsers = () => list<User>('/api/users');
export const inviteUser = (input: { email: string; name: string; role: Role; password: string }) => request<User>('POST', '/api/users', input);
export const updateUser = (id: Id, changes: { role?: Role; name?: string; active?: boolean }) =>
  request<User>('PATCH', `/api/users/${enc(id)}`, changes);
export const deactivateUser = (id: Id) => request<User>('DELETE', `/api/users/${enc(id)}`);
export const updateSettings = (changes: Partial<Pick<Organization, 'threadingWindowHours' | 'businessHours' | 'awayMessage'>>) =>
  request<{ organization: Organization }>('PATCH', '/api/settings', changes);
export const listAudit = (cursor?: string | null) => list<AuditEntry>(withQuery('/api/audit', { cursor }));

// --- Twilio integration (admin) ---
export const getTwilio = () => request<TwilioIntegration>('GET', '/api/integrations/twilio');
export const connectTwilio = (accountSid: string, authToken: string) =>
  request<TwilioIntegration>('PUT', '/api/integrations/twilio', { accountSid, authToken });
export const disconnectTwilio = () => request<Awaited<ReturnType<typeof disconnect>>>('DELETE', '/api/integrations/twilio');
export const listIncomingNumbers = () => list<IncomingNumber>('/api/integrations/twilio/incoming-numbers');
export const listAvailableNumbers = (query: { country: string; areaCode?: string; contains?: string }) =>
  list<AvailableNumber>(withQuery('/api/integrations/twilio/available-numbers', query));
export const addSender = (input: NewSender) => request<AddedSender>('POST', '/api/integrations/twilio/senders', input);
export const updateSender = (id: Id, ratePerSecond: number) =>
  request<Sender>('PATCH', `/api/integrations/twilio/senders/${enc(id)}`, { ratePerSecond });
export const removeSender = (id: Id) => request<unknown>('DELETE', `/api/integrations/twilio/senders/${enc(id)}`);

// --- senders an agent may send from ---
export const listSenders = () => list<Sender>('/api/senders');

// --- conversations ---
export const listConversations = (query: ConversationQuery, options?: RequestOptions) =>
  list<Conversation>(withQuery('/api/conversations', { ...query }), options);
export const getConversation = (id: Id, options?: RequestOptions) =>
  request<Conversation>('GET', `/api/conversations/${enc(id)}`, undefined, options);
export const updateConversation = (id: Id, changes: { status?: ConversationStatus; assigneeId?: Id | null }) =>
  request<Conversation>('PATCH', `/api/conversations/${enc(id)}`, changes);
export const markRead = (id: Id) => request<unknown>('POST', `/api/conversations/${enc(id)}/read`);
export const startConversation = (input: { senderId: Id; customerId?: Id; phone?: string; body: string; mediaIds?: Id[] }) =>
  request<StartedConversation>('POST', '/api/conversations', input);
export const listMessages = (conversationId: Id, cursor?: string | null, options?: RequestOptions) =>
  list<Message>(withQuery(`/api/conversations/${enc(conversationId)}/messages`, { cursor }), options);
export const sendMessage = (conversationId: Id, body: string, mediaIds: Id[]) =>
  request<Message>('POST', `/api/conversations/${enc(conversationId)}/messages`, { body, mediaIds });
export const setConversationLabels = (id: Id, labelIds: Id[]) => request<Conversation>('PUT', `/api/conversations/${enc(id)}/labels`, { labelIds });
export const addNote = (conversationId: Id, body: string) => request<Message>('POST', `/api/conversations/${enc(conversationId)}/notes`, { body });
export const retryMessage = (id: Id) => request<Message>('POST', `/api/messages/${enc(id)}/retry`);
export const searchMessages = (q: string, cursor?: string | null, options?: RequestOptions) => list<SearchResult>(withQuery('/api/search', { q, cursor }), options);

// --- media ---
export function uploadMedia(file: File, options?: RequestOptions) {
  const form = new FormData();
  form.append('file', file, file.name);
  return request<UploadedMedia>('POST', '/api/media', form, options);
}

// --- customers ---
export const findCustomers = (q: string, options?: RequestOptions) => list<Customer>(withQuery('/api/customers', { q }), options);
export const optOutCustomer = (id: Id, input: { senderId?: Id; reason?: string }) => request<Customer>('POST', `/api/customers/${enc(id)}/opt-out`, input);
export const optInCustomer = (id: Id, input: { senderId?: Id; reason: string }) => request<Customer>('POST', `/api/customers/${enc(id)}/opt-in`, input);
export const getCustomer = (id: Id, options?: RequestOptions) => request<Customer>('GET', `/api/customers/${enc(id)}`, undefined, options);
export const updateCustomer = (id: Id, changes: { name?: string | null; email?: string | null; notes?: string | null }) =>
  request<Customer>('PATCH', `/api/customers/${enc(id)}`, changes);
export const getTimeline = (id: Id, cursor?: string | null, options?: RequestOptions) =>
  request<Timeline>('GET', withQuery(`/api/customers/${enc(id)}/timeline`, { cursor }), undefined, options);

export const EVENTS_URL = '/api/events';

// --- labels ---
export const listLabels = (options?: RequestOptions) => request<Label[]>('GET', '/api/labels', undefined, options);
export const createLabel = (input: { name: string; color: string }) => request<Label>('POST', '/api/labels', input);
export const updateLabel = (id: Id, changes: { name?: string; color?: string }) => request<Label>('PATCH', `/api/labels/${enc(id)}`, changes);
export const deleteLabel = (id: Id) => request<unknown>('DELETE', `/api/labels/${enc(id)}`);

// --- canned replies ---
type CannedReplyInput = Pick<CannedReply, 'shortcut' | 'title' | 'body'>;
export const listCannedReplies = (options?: RequestOptions) => list<CannedReply>('/api/canned-replies', options);
export const createCannedReply = (input: CannedReplyInput) => request<CannedReply>('POST', '/api/canned-replies', input);
export const updateCannedReply = (id: Id, changes: Partial<CannedReplyInput>) => request<CannedReply>('PATCH', `/api/canned-replies/${enc(id)}`, changes);
export const deleteCannedReply = (id: Id) => request<unknown>('DELETE', `/api/canned-replies/${enc(id)}`);
