import type { Media } from '../api/types';
import { Modal } from '../ui/Modal';

export function Lightbox({ media, onClose }: { media: Media; onClose: () => void }) {
  return (
    <Modal title="Picture" onClose={onClose} className="lightbox" testId="lightbox">
      <img src={media.url} alt="Picture, full size" />
      <p>
        <a href={media.url} target="_blank" rel="noopener noreferrer">
          Open the original
        </a>
      </p>
    </Modal>
  );
}
