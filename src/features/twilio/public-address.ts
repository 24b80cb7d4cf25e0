import type { Config } from '../../config.js';
import { isRealTwilio, publicUrlProblem } from '../../domain/public-url.js';
import { AppError } from '../../errors.js';

/**
 * Refuses to hand Twilio an address it cannot call back. Only against the real Twilio: the
 * simulator and test doubles run on this machine and reach any URL.
 */
export function requireReachablePublicUrl(config: Pick<Config, 'publicUrl' | 'twilioApiUrl'>): void {
  if (!isRealTwilio(config.twilioApiUrl)) return;
  const problem = publicUrlProblem(config.publicUrl);
  if (problem) {
    throw new AppError(
      'public_url_required',
      `Twilio cannot send texts to Parley at PUBLIC_URL ${config.publicUrl}: ${problem}. Set PUBLIC_URL to the public https:// address of this server (for example https://desk.example.com) and restart Parley.`,
    );
  }
}
