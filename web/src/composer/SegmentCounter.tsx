import type { SegmentCount } from '../../../src/domain/segments';
import { MAX_BODY_CHARACTERS } from '../lib/limitBody';
import { plural } from '../lib/format';

/** "161 chars · 2 segments · GSM-7 (153 per segment)". */
export function SegmentCounter({ count, id }: { count: SegmentCount; id?: string }) {
  return (
    <p
      id={id}
      className="segment-counter"
      data-testid="segment-counter"
      data-characters={count.characters}
      data-segments={count.segments}
      data-encoding={count.encoding}
      data-over-limit={count.overLimit ? 'true' : 'false'}
      title={`Each segment is billed as one SMS. ${count.encoding} carries ${count.perSegment} characters per segment for this message.`}
    >
      <span className={count.overLimit ? 'over-limit' : undefined}>
        {count.characters.toLocaleString()}
        {count.characters > MAX_BODY_CHARACTERS * 0.9 ? ` / ${MAX_BODY_CHARACTERS.toLocaleString()}` : ''} chars
      </span>
      {' · '}
      <span>{plural(count.segments, 'segment')}</span>
      {' · '}
      <span className={count.encoding === 'UCS-2' ? 'encoding-ucs2' : undefined}>{count.encoding}</span>
      <span className="per-segment"> ({count.perSegment} per segment)</span>
    </p>
  );
}
