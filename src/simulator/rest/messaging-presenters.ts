import { iso8601 } from '../dates.js';
import type { IncomingNumber, MessagingService } from '../model.js';

/** JSON shapes of messaging.twilio.com/v1 (ISO 8601 dates, absolute `url`s, `links`). */

export function presentService(s: MessagingService, baseUrl: string) {
  const url = `${baseUrl}/v1/Services/${s.sid}`;
  return {
    account_sid: s.accountSid,
    area_code_geomatch: true,
    date_created: iso8601(s.dateCreated),
    date_updated: iso8601(s.dateUpdated),
    fallback_method: s.fallbackMethod,
    fallback_to_long_code: true,
    fallback_url: s.fallbackUrl || null,
    friendly_name: s.friendlyName,
    inbound_method: s.inboundMethod,
    inbound_request_url: s.inboundRequestUrl || null,
    links: {
      phone_numbers: `${url}/PhoneNumbers`,
      short_codes: `${url}/ShortCodes`,
      alpha_senders: `${url}/AlphaSenders`,
      channel_senders: `${url}/ChannelSenders`,
      us_app_to_person: `${url}/Compliance/Usa2p`,
      us_app_to_person_usecases: `${url}/Compliance/Usa2p/Usecases`,
    },
    mms_converter: true,
    scan_message_content: 'inherit',
    sid: s.sid,
    smart_encoding: false,
    status_callback: s.statusCallback || null,
    sticky_sender: true,
    synchronous_validation: false,
    url,
    us_app_to_person_registered: false,
    use_inbound_webhook_on_number: s.useInboundWebhookOnNumber,
    usecase: 'undeclared',
    validity_period: 14400,
  };
}

export function presentServicePhoneNumber(n: IncomingNumber, serviceSid: string, baseUrl: string) {
  const capabilities = [n.capabilities.mms && 'MMS', n.capabilities.sms && 'SMS', n.capabilities.voice && 'Voice']
    .filter((c): c is string => typeof c === 'string');
  return {
    account_sid: n.accountSid,
    capabilities,
    country_code: n.phoneNumber.startsWith('+1') ? 'US' : null,
    date_created: iso8601(n.dateCreated),
    date_updated: iso8601(n.dateUpdated),
    phone_number: n.phoneNumber,
    service_sid: serviceSid,
    sid: n.sid,
    url: `${baseUrl}/v1/Services/${serviceSid}/PhoneNumbers/${n.sid}`,
  };
}
