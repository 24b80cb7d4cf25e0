import type { LabelRow } from './queries.js';

/** The label of docs/api.md#objects. */
export const presentLabel = (l: Pick<LabelRow, 'id' | 'name' | 'color'>) => ({ id: l.id, name: l.name, color: l.color });

export type PresentedLabel = ReturnType<typeof presentLabel>;
