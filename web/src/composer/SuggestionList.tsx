import type { ReactNode } from 'react';

interface SuggestionListProps<T> {
  id: string;
  label: string;
  items: T[];
  active: number;
  keyOf(item: T): string;
  render(item: T): ReactNode;
  onPick(index: number): void;
}

export const optionId = (listId: string, index: number) => `${listId}-option-${index}`;

/**
 * A listbox under the composer's box. Focus stays in the box (which points at the active
 * option with aria-activedescendant), so a mouse press must not take it away.
 */
export function SuggestionList<T>({ id, label, items, active, keyOf, render, onPick }: SuggestionListProps<T>) {
  return (
    <ul className="suggestions" role="listbox" id={id} aria-label={label} data-testid={id}>
      {items.map((item, i) => (
        <li
          key={keyOf(item)}
          id={optionId(id, i)}
          role="option"
          aria-selected={i === active}
          className="suggestion"
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => onPick(i)}
        >
          {render(item)}
        </li>
      ))}
    </ul>
  );
}
