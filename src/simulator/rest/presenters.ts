import { rfc2822 } from '../dates.js';
import type { Account, Application, AvailableNumber, IncomingNumber, ShortCode, SimMedia, SimMessage } from '../model.js';

/** JSON shapes of the 2010-04-01 API, field for field as Twilio answers (snake_case, RFC 2822 dates). */

const API_VERSION = '2010-04-01';
const accountPath = (sid: string): string => `/${API_VERSION}/Accounts/${sid}`;

// Real Twilio returns the Auth Token here too; a product must not log this response.
export function presentAccount(account: Account) {
  const base = accountPath(account.sid);
  return {
    auth_token: account.authToken,
    date_created: rfc2822(account.dateCreated),
    date_updated: rfc2822(account.dateCreated),
    friendly_name: account.friendlyName,
    owner_account_sid: account.sid,
    sid: account.sid,
    status: 'active',
    subresource_uris: {
      applications: `${base}/Applications.json`,
      available_phone_numbers: `${base}/AvailablePhoneNumbers.json`,
      incoming_phone_numbers: `${base}/IncomingPhoneNumbers.json`,
      messages: `${base}/Messages.json`,
      short_codes: `${base}/SMS/ShortCodes.json`,
    },
    type: account.type,
    uri: `${base}.json`,
  };
}

export function presentMessage(m: SimMessage) {
  const path = `${accountPath(m.accountSid)}/Messages/${m.sid}`;
  return {
    account_sid: m.accountSid,
    api_version: API_VERSION,
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_sent: rfc2822(m.dateSent),
    date_updated: rfc2822(m.dateUpdated),
    direction: m.direction,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    // Twilio sends these two counts as strings.
    num_media: String(m.numMedia),
    num_segments: String(m.numSegments),
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `${path}/Media.json`, feedback: `${path}/Feedback.json` },
    to: m.to,
    uri: `${path}.json`,
  };
}

export function presentMedia(media: SimMedia) {
  return {
    account_sid: media.accountSid,
    content_type: media.contentType,
    date_created: rfc2822(media.dateCreated),
    date_updated: rfc2822(media.dateCreated),
    parent_sid: media.messageSid,
    sid: media.sid,
    uri: `${accountPath(media.accountSid)}/Messages/${media.messageSid}/Media/${media.sid}.json`,
  };
}

export function presentIncomingNumber(n: IncomingNumber) {
  return {
    account_sid: n.accountSid,
    address_requirements: 'none',
    address_sid: null,
    api_version: API_VERSION,
    beta: false,
    bundle_sid: null,
    capabilities: { voice: n.capabilities.voice, sms: n.capabilities.sms, mms: n.capabilities.mms, fax: false },
    date_created: rfc2822(n.dateCreated),
    date_updated: rfc2822(n.dateUpdated),
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    emergency_status: 'Inactive',
    friendly_name: n.friendlyName,
    identity_sid: null,
    origin: 'twilio',
    phone_number: n.phoneNumber,
    sid: n.sid,
    sms_application_sid: n.smsApplicationSid,
    sms_fallback_method: n.smsFallbackMethod,
    sms_fallback_url: n.smsFallbackUrl,
    sms_method: n.smsMethod,
    sms_url: n.smsUrl,
    status: 'in-use',
    status_callback: n.statusCallback,
    status_callback_method: n.statusCallbackMethod,
    trunk_sid: null,
    type: /^\+18(00|33|44|55|66|77|88)/.test(n.phoneNumber) ? 'tollFree' : 'local',
    uri: `${accountPath(n.accountSid)}/IncomingPhoneNumbers/${n.sid}.json`,
    voice_application_sid: '',
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: 'POST',
    voice_receive_mode: 'voice',
    voice_url: '',
  };
}

// Twilio's AvailablePhoneNumbers spell the capability keys `SMS` and `MMS` in capitals,
// unlike IncomingPhoneNumbers; kept so a product reading the wrong case fails here too.
export function presentAvailableNumber(n: AvailableNumber) {
  return {
    address_requirements: 'none',
    beta: false,
    capabilities: { voice: n.capabilities.voice, SMS: n.capabilities.sms, MMS: n.capabilities.mms },
    friendly_name: n.friendlyName,
    iso_country: n.country,
    lata: null,
    latitude: null,
    locality: n.locality || null,
    longitude: null,
    phone_number: n.phoneNumber,
    postal_code: n.postalCode || null,
    rate_center: null,
    region: n.region || null,
  };
}

export function presentShortCode(c: ShortCode) {
  return {
    account_sid: c.accountSid,
    api_version: API_VERSION,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.dateUpdated),
    friendly_name: c.friendlyName,
    short_code: c.shortCode,
    sid: c.sid,
    sms_fallback_method: 'POST',
    sms_fallback_url: null,
    sms_method: c.smsMethod,
    sms_url: c.smsUrl,
    uri: `${accountPath(c.accountSid)}/SMS/ShortCodes/${c.sid}.json`,
  };
}

export function presentApplication(a: Application) {
  return {
    account_sid: a.accountSid,
    api_version: API_VERSION,
    date_created: rfc2822(a.dateCreated),
    date_updated: rfc2822(a.dateUpdated),
    friendly_name: a.friendlyName,
    message_status_callback: null,
    public_application_connect_enabled: false,
    sid: a.sid,
    sms_fallback_method: 'POST',
    sms_fallback_url: null,
    sms_method: a.smsMethod,
    sms_status_callback: null,
    sms_url: a.smsUrl || null,
    status_callback: null,
    status_callback_method: 'POST',
    uri: `${accountPath(a.accountSid)}/Applications/${a.sid}.json`,
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: 'POST',
    voice_url: null,
  };
}
