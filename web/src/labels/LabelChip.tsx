import { labelTextColor } from '../../../src/domain/labels';
import type { Label } from '../api/types';

/** A label in its colour, with text that stays legible on it. */
export function LabelChip({ label }: { label: Label }) {
  return (
    <span className="label-chip" data-testid="label-chip" style={{ background: label.color, color: labelTextColor(label.color) }}>
      {label.name}
    </span>
  );
}
