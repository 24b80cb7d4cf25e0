import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.js';
import { accountRoutes } from '../features/accounts/routes.js';
import { auditRoutes } from '../features/audit/routes.js';
import { cannedReplyRoutes } from '../features/canned-replies/routes.js';
import { conversationRoutes } from '../features/conversations/routes.js';
import { customerRoutes } from '../features/customers/routes.js';
import { eventRoutes } from '../features/events/routes.js';
import { inboundRoutes } from '../features/inbound/routes.js';
import { labelRoutes } from '../features/labels/routes.js';
import { mediaRoutes } from '../features/media/routes.js';
import { outboundRoutes } from '../features/outbound/routes.js';
import { searchRoutes } from '../features/search/routes.js';
import { twilioRoutes } from '../features/twilio/routes.js';
import type { AuthHooks } from './auth.js';

/** The route table: every feature's routes, registered here and nowhere else. */
export function registerRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks): void {
  accountRoutes(app, ctx, auth); // sign-up, sign-in, users, organization settings
  conversationRoutes(app, ctx, auth); // inbox, thread, assignment, texting first
  customerRoutes(app, ctx, auth);
  outboundRoutes(app, ctx, auth); // replies, retries, segment counter, delivery status callbacks
  inboundRoutes(app, ctx); // Twilio's inbound message webhook
  mediaRoutes(app, ctx, auth); // uploads, files for agents, signed links Twilio fetches
  eventRoutes(app, ctx, auth); // the live event stream
  twilioRoutes(app, ctx, auth); // connecting Twilio, support numbers
  auditRoutes(app, ctx, auth);
  labelRoutes(app, ctx, auth); // labels admins manage; conversations carry them
  searchRoutes(app, ctx, auth); // message search
  cannedReplyRoutes(app, ctx, auth); // replies any user saves and inserts with /shortcut
}
