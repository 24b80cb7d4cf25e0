import type { SegmentCount } from '../../../src/domain/segments';
import { describeCharacter, visibleCharacter } from '../lib/gsm';

interface EncodingHelpProps {
  count: SegmentCount;
  replaceable: boolean;
  onReplace(): void;
}

/** Names the characters that force UCS-2 and offers to swap the look-alikes for GSM-7 ones. */
export function EncodingHelp({ count, replaceable, onReplace }: EncodingHelpProps) {
  if (count.encoding !== 'UCS-2' || count.nonGsmCharacters.length === 0) return null;
  return (
    <div className="encoding-help" data-testid="ucs2-characters">
      <span>
        Sent as UCS-2, {count.perSegment} characters per segment, because of{' '}
        <span className="sr-only">these characters: {count.nonGsmCharacters.map(describeCharacter).join(', ')}</span>
      </span>
      <ul className="char-list" aria-hidden="true">
        {count.nonGsmCharacters.map((character) => (
          <li key={character}>
            <mark title={describeCharacter(character)}>{visibleCharacter(character)}</mark>
          </li>
        ))}
      </ul>
      {replaceable && (
        <button type="button" className="link-button" onClick={onReplace}>
          Replace with GSM-7 equivalents
        </button>
      )}
    </div>
  );
}
