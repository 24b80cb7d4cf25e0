/**
 * Rules for text people type or send.
 *
 * Control characters: PostgreSQL text cannot hold NUL, and no other C0 control (nor DEL) has a
 * meaning in a name, a note or a message, so the same rule holds on both engines:
 * - text an agent or admin writes is refused (422 naming the field) if it holds one, except tab,
 *   line feed and carriage return;
 * - a search query drops them (nothing stored can match one);
 * - text a customer sends (inbound SMS) has them removed, never refused.
 */

/** A note's longest body, in UTF-16 code units as the API counts it (notes are never sent, so not 1,600). */
export const MAX_NOTE_CHARACTERS = 10_000;

// C0 controls other than tab (09), LF (0A) and CR (0D), and DEL.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export const hasForbiddenControl = (text: string): boolean => text.search(FORBIDDEN_CONTROLS) !== -1;

export const stripControls = (text: string): string => text.replace(FORBIDDEN_CONTROLS, '');

/**
 * Characters that show nothing: white space, invisible format characters (zero-width space and
 * joiners, word joiner, BOM, soft hyphen, direction marks), controls, variation selectors, the
 * Hangul fillers and the blank Braille pattern often used to fake an empty-looking text.
 */
const INVISIBLE = /^(?:[\p{White_Space}\p{Cf}\p{Cc}\u115F\u1160\u2800\u3164\uFFA0]|\u034F|\p{Variation_Selector})*$/u;

/** A text that shows nothing when displayed counts as empty, however many characters it has. */
export const isBlankText = (text: string): boolean => INVISIBLE.test(text);
