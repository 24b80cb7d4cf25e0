import type { Attachment } from './useAttachments';
import { formatBytes } from '../lib/format';

export function AttachmentTray({ items, onRemove }: { items: Attachment[]; onRemove(key: string): void }) {
  if (items.length === 0) return null;
  return (
    <ul className="attachment-tray" aria-label="Attached pictures">
      {items.map((item) => (
        <li key={item.key} className="attachment" data-testid="attachment" data-status={item.status}>
          {item.previewUrl ? <img src={item.previewUrl} alt={item.file.name || 'Attached picture'} /> : <span className="attachment-name">{item.file.name}</span>}
          <span className="attachment-state">
            {item.status === 'uploading' ? 'Uploading…' : item.status === 'failed' ? (item.error ?? 'Upload failed') : formatBytes(item.file.size)}
          </span>
          <button type="button" className="attachment-remove" aria-label={`Remove ${item.file.name || 'picture'}`} onClick={() => onRemove(item.key)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
