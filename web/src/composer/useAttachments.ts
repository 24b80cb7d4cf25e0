import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/http';
import type { Id } from '../api/types';
import { formatBytes } from '../lib/format';

/* HEIC (iPhone) and WebP are converted to JPEG by the server, and every picture is scaled to fit an MMS. */
export const ALLOWED_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic', 'image/heif'];
const ALLOWED_EXTENSIONS = /\.(heic|heif)$/i;
export const MAX_ATTACHMENTS = 10;
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface Attachment {
  key: string;
  file: File;
  previewUrl: string | null;
  status: 'uploading' | 'ready' | 'failed';
  mediaId?: Id;
  error?: string;
}

let sequence = 0;

/** Pictures for the next message: checked, uploaded at once (POST /api/media), previewed. */
export function useAttachments() {
  const [items, setItemsState] = useState<Attachment[]>([]);
  const itemsRef = useRef<Attachment[]>([]);
  const [refusal, setRefusal] = useState<string | null>(null);

  const setItems = useCallback((update: (current: Attachment[]) => Attachment[]) => {
    itemsRef.current = update(itemsRef.current);
    setItemsState(itemsRef.current);
  }, []);

  useEffect(
    () => () => {
      for (const item of itemsRef.current) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    },
    [],
  );

  const upload = useCallback(
    (item: Attachment) => {
      api.uploadMedia(item.file).then(
        (media) => setItems((current) => current.map((a) => (a.key === item.key ? { ...a, status: 'ready', mediaId: media.id } : a))),
        (e: unknown) => setItems((current) => current.map((a) => (a.key === item.key ? { ...a, status: 'failed', error: errorMessage(e) } : a))),
      );
    },
    [setItems],
  );

  /** Adds what it can and says why it refused the rest. */
  const add = useCallback(
    (files: File[]) => {
      const problems: string[] = [];
      const accepted: Attachment[] = [];
      let count = itemsRef.current.length;
      for (const file of files) {
        // Some browsers give a HEIC photo no type at all: its name tells.
        if (!ALLOWED_TYPES.includes(file.type) && !ALLOWED_EXTENSIONS.test(file.name)) {
          problems.push(`${file.name || 'That file'} is not a JPEG, PNG, GIF, WebP or HEIC picture.`);
        } else if (count >= MAX_ATTACHMENTS) {
          problems.push(`At most ${MAX_ATTACHMENTS} pictures go in one message.`);
          break;
        } else if (file.size > MAX_FILE_BYTES) {
          problems.push(`${file.name || 'That picture'} (${formatBytes(file.size)}) is larger than ${formatBytes(MAX_FILE_BYTES)}.`);
        } else {
          count++;
          const previewUrl = typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null;
          accepted.push({ key: `a${++sequence}`, file, previewUrl, status: 'uploading' });
        }
      }
      setRefusal(problems.length ? problems.join(' ') : null);
      if (accepted.length) {
        setItems((current) => [...current, ...accepted]);
        accepted.forEach(upload);
      }
    },
    [setItems, upload],
  );

  const remove = useCallback(
    (key: string) => {
      const item = itemsRef.current.find((a) => a.key === key);
      if (item?.previewUrl) URL.revokeObjectURL(item.previewUrl);
      setItems((current) => current.filter((a) => a.key !== key));
      setRefusal(null);
    },
    [setItems],
  );

  /** Empties the tray after a send; previews stay valid for the optimistic message. */
  const clear = useCallback(() => {
    setItems(() => []);
    setRefusal(null);
  }, [setItems]);

  /** Puts back what a failed send took, so nothing has to be picked again. */
  const restore = useCallback((restored: Attachment[]) => setItems(() => restored), [setItems]);

  const mediaIds = items.filter((a) => a.status === 'ready' && a.mediaId !== undefined).map((a) => a.mediaId as Id);
  const uploading = items.some((a) => a.status === 'uploading');
  const failed = items.some((a) => a.status === 'failed');

  return { items, mediaIds, uploading, failed, refusal, add, remove, clear, restore };
}
