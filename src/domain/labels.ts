/** A label's colour: `#rrggbb`, stored in lower case. */
export const LABEL_COLOR = /^#[0-9a-f]{6}$/i;

/**
 * The text colour that reads on a label of this colour (WCAG relative luminance): dark text on
 * light labels, white on dark ones, so any colour an admin picks keeps its name legible.
 */
export function labelTextColor(color: string): '#000000' | '#ffffff' {
  const channel = (i: number) => {
    const c = parseInt(color.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  // Contrast with black (L + 0.05) / 0.05 against white 1.05 / (L + 0.05): whichever is higher.
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000000' : '#ffffff';
}
